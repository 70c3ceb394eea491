package cli

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/topology"
)

// ExitPending is `topics plan --detailed-exitcode`'s status when changes
// are pending.
const ExitPending = 2

func (r *runner) topicsCmd() *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "topics",
		Short: "List, plan, create, align or delete the application's topics",
		Long: `Manage the application's topics: every route's topic, its responder's topics and
its dead letter topic, with the partitions, replication factor and configs the routes
declare (topology.TopicSpec) over the defaults (kafka.topic_partitions,
kafka.topic_replication_factor, kafka.topic_configs).

  list     the declared topics and what the cluster has
  plan     what create/align would do; exit 0 (--detailed-exitcode: 2 when changes are pending)
  create   create the missing topics; existing ones are left as they are
  align    create the missing topics, set differing declared configs (incremental config
           changes only: configs no route declares are left alone) and add partitions;
           partitions are never removed and replication factors never changed
  delete   delete the topics that exist, with their data (needs --yes)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.PersistentFlags().DurationVar(&timeout, "timeout", 30*time.Second, "give up after this long (the cluster unreachable or not ready)")
	ctx := func(cmd *cobra.Command) (context.Context, context.CancelFunc) {
		return context.WithTimeout(cmd.Context(), timeout)
	}

	list := &cobra.Command{
		Use:   "list",
		Short: "List the declared topics and what the cluster has",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			app, routes, err := r.topicsApp(cmd)
			if err != nil {
				return err
			}
			c, cancel := ctx(cmd)
			defer cancel()
			plan, err := app.PlanTopics(c)
			if err != nil {
				return Exit(ExitFailure, err)
			}
			roles := map[string]topology.TopicRole{}
			for _, d := range topology.Topics(routes) {
				roles[d.Name] = d.Role
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TOPIC\tROLE\tPARTITIONS\tREPLICATION\tCONFIGS\tSTATE")
			for _, ch := range plan.Changes {
				t := ch.Topic
				parts, rf, state := fmt.Sprint(t.Partitions), fmt.Sprint(t.ReplicationFactor), "up to date"
				switch {
				case ch.Create:
					state = "missing"
				default:
					if t.Partitions != ch.Current {
						parts = fmt.Sprintf("%d (has %d)", t.Partitions, ch.Current)
					}
					if t.ReplicationFactor == 0 {
						rf = fmt.Sprint(ch.CurrentReplication)
					} else if t.ReplicationFactor != ch.CurrentReplication {
						rf = fmt.Sprintf("%d (has %d)", t.ReplicationFactor, ch.CurrentReplication)
					}
					if ch.Pending() {
						state = "differs"
					}
				}
				var cfgs []string
				for _, k := range slices.Sorted(maps.Keys(t.Configs)) {
					cfgs = append(cfgs, k+"="+t.Configs[k])
				}
				if len(cfgs) == 0 {
					cfgs = []string{"-"}
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, roles[t.Name], parts, rf, strings.Join(cfgs, ","), state)
			}
			return tw.Flush()
		},
	}

	var detailed bool
	plan := &cobra.Command{
		Use:   "plan",
		Short: "Print what create and align would do; change nothing",
		Long: `Print what align would create, alter (declared configs whose value differs) and
repartition (more partitions declared than the topic has), and notes on what is never
changed (fewer partitions declared, another replication factor).

Exit status: 0; with --detailed-exitcode 0 when nothing is to do and 2 when changes are
pending; 1 on failure (2 is also the status of usage errors, which print a message).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			app, _, err := r.topicsApp(cmd)
			if err != nil {
				return err
			}
			c, cancel := ctx(cmd)
			defer cancel()
			p, err := app.PlanTopics(c)
			if err != nil {
				return Exit(ExitFailure, err)
			}
			if err := p.Write(cmd.OutOrStdout()); err != nil {
				return Exit(ExitFailure, err)
			}
			if detailed && p.Pending() {
				return Exit(ExitPending, nil)
			}
			return nil
		},
	}
	plan.Flags().BoolVar(&detailed, "detailed-exitcode", false, "exit 2 when changes are pending")

	sync := func(use, short string, mode kafka.SyncMode, run func(*karafka.App, context.Context) (kafka.TopicPlan, error)) *cobra.Command {
		return &cobra.Command{
			Use:   use,
			Short: short,
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				app, _, err := r.topicsApp(cmd)
				if err != nil {
					return err
				}
				c, cancel := ctx(cmd)
				defer cancel()
				p, err := run(app, c)
				if err != nil {
					return Exit(ExitFailure, err)
				}
				return p.WriteApplied(cmd.OutOrStdout(), mode)
			},
		}
	}
	create := sync("create", "Create the missing topics; leave existing ones as they are", kafka.SyncCreate, (*karafka.App).EnsureTopics)
	align := sync("align", "Create missing topics, set differing configs incrementally, add partitions (never removes any)", kafka.SyncAlign, (*karafka.App).AlignTopics)

	var yes bool
	del := &cobra.Command{
		Use:   "delete --yes",
		Short: "Delete the application's topics that exist, with their data",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			app, _, err := r.topicsApp(cmd)
			if err != nil {
				return err
			}
			if !yes {
				topics, _ := app.DeclaredTopics()
				names := make([]string, len(topics))
				for i, t := range topics {
					names[i] = t.Name
				}
				return usageError("delete removes topics %s and all their data; run again with --yes", strings.Join(names, ", "))
			}
			c, cancel := ctx(cmd)
			defer cancel()
			deleted, err := app.DeleteTopics(c)
			for _, t := range deleted {
				fmt.Fprintf(cmd.OutOrStdout(), "deleted %s\n", t)
			}
			if err != nil {
				return Exit(ExitFailure, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "done: %d deleted\n", len(deleted))
			return nil
		},
	}
	del.Flags().BoolVar(&yes, "yes", false, "really delete the topics and their data")

	cmd.AddCommand(list, plan, create, align, del)
	return cmd
}

// topicsApp loads the settings and builds the app whose topics are managed.
func (r *runner) topicsApp(cmd *cobra.Command) (*karafka.App, []topology.Resolved, error) {
	s, err := r.settings(cmd)
	if err != nil {
		return nil, nil, err
	}
	app, err := r.newApp(s, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, nil, err
	}
	warnKafka(newLogger(s, cmd.ErrOrStderr()), s.Kafka)
	routes, err := app.Routes()
	if err != nil {
		return nil, nil, Exit(ExitUsage, err)
	}
	return app, routes, nil
}
