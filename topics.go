package karafka

import (
	"context"
	"fmt"
	"maps"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/clients"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/topicsync"
	"github.com/karafka-actors/karafka-actors/topology"
)

// DeclaredTopics returns every topic of the application as it is to be
// created and aligned: the route, response and dead letter topics in route
// order (see topology.Topics), with what the routes declare over
// Config.Topics.
func (a *App) DeclaredTopics() ([]kafka.Topic, error) {
	routes, err := a.Routes()
	if err != nil {
		return nil, err
	}
	decls := topology.Topics(routes)
	out := make([]kafka.Topic, len(decls))
	for i, d := range decls {
		t := kafka.Topic{
			Name:              d.Name,
			Partitions:        d.Spec.Partitions,
			ReplicationFactor: d.Spec.ReplicationFactor,
			Configs:           maps.Clone(a.cfg.Topics.Configs),
		}
		if t.Partitions == 0 {
			t.Partitions = int32(a.cfg.Topics.Partitions)
		}
		if t.ReplicationFactor == 0 {
			t.ReplicationFactor = int16(a.cfg.Topics.ReplicationFactor)
		}
		if len(d.Spec.Configs) > 0 && t.Configs == nil {
			t.Configs = map[string]string{}
		}
		maps.Copy(t.Configs, d.Spec.Configs)
		out[i] = t
	}
	for _, t := range a.extraTopics {
		if t.Partitions == 0 {
			t.Partitions = int32(a.cfg.Topics.Partitions)
		}
		if t.ReplicationFactor == 0 {
			t.ReplicationFactor = int16(a.cfg.Topics.ReplicationFactor)
		}
		t.Configs = maps.Clone(t.Configs)
		out = append(out, t)
	}
	return out, nil
}

// PlanTopics compares the declared topics with the cluster and returns what
// EnsureTopics would create and AlignTopics would create, alter and
// repartition. It changes nothing.
func (a *App) PlanTopics(ctx context.Context) (kafka.TopicPlan, error) {
	topics, err := a.DeclaredTopics()
	if err != nil {
		return kafka.TopicPlan{}, err
	}
	var plan kafka.TopicPlan
	err = a.withAdmin(ctx, func(admin client.Admin) error {
		plan, err = topicsync.PlanTopics(ctx, admin, topics)
		return err
	})
	return plan, err
}

// EnsureTopics creates the declared topics that do not exist yet and
// returns once they are served; existing topics are left as they are. It
// retries while the cluster cannot be reached, until ctx ends, and returns
// the plan it carried out. Config.Topics.Create makes Run do this.
func (a *App) EnsureTopics(ctx context.Context) (kafka.TopicPlan, error) {
	return a.syncTopics(ctx, kafka.SyncCreate)
}

// AlignTopics brings the cluster to the declared topics: it creates the
// missing ones, sets the declared configs that differ with incremental
// config changes (the configs a topic has but no route declares are left
// alone) and adds partitions where more are declared. It never removes
// partitions nor changes a replication factor: the returned plan has a
// note for each such difference.
func (a *App) AlignTopics(ctx context.Context) (kafka.TopicPlan, error) {
	return a.syncTopics(ctx, kafka.SyncAlign)
}

func (a *App) syncTopics(ctx context.Context, mode kafka.SyncMode) (kafka.TopicPlan, error) {
	topics, err := a.DeclaredTopics()
	if err != nil {
		return kafka.TopicPlan{}, err
	}
	return topicsync.SyncTopics(ctx, a.cfg.Kafka, mode, topics...)
}

// DeleteTopics deletes the declared topics that exist, with their data,
// and returns their names. Topics that do not exist are skipped.
func (a *App) DeleteTopics(ctx context.Context) ([]string, error) {
	topics, err := a.DeclaredTopics()
	if err != nil {
		return nil, err
	}
	names := make([]string, len(topics))
	for i, t := range topics {
		names[i] = t.Name
	}
	var deleted []string
	err = a.withAdmin(ctx, func(admin client.Admin) error {
		deleted, err = topicsync.DeleteTopics(ctx, admin, names...)
		return err
	})
	return deleted, err
}

// withAdmin runs fn with an admin of the client library kafka.client
// names, closed afterwards. Its calls end with ctx, and each is bounded by
// kafka.read_timeout.
func (a *App) withAdmin(ctx context.Context, fn func(client.Admin) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", kafka.ErrTopicSetup, err)
	}
	admin, err := clients.NewAdmin(ctx, a.cfg.Kafka)
	if err != nil {
		return fmt.Errorf("%w: %w", kafka.ErrTopicSetup, err)
	}
	defer admin.Close()
	if err := fn(admin); err != nil {
		return fmt.Errorf("%w: %w", kafka.ErrTopicSetup, err)
	}
	return nil
}
