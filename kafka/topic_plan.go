package kafka

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// ConfigChange is one topic config that differs from its declaration.
type ConfigChange struct {
	Key string
	// From is the current value ("" when the broker reports none); FromDefault
	// says it is the broker's default, not set on the topic.
	From        string
	FromDefault bool
	To          string
}

// TopicChange is what one declared topic needs. A topic that needs nothing
// has Create false, Partitions equal to Current and no Configs.
type TopicChange struct {
	// Topic is the declaration, with its replication factor resolved for a
	// topic to create.
	Topic Topic
	// Create is true when the topic does not exist.
	Create bool
	// Current is the partition count of an existing topic, and
	// CurrentReplication its replication factor.
	Current            int32
	CurrentReplication int16
	// Configs lists the declared configs whose value differs, by key.
	Configs []ConfigChange
	// Notes say what differs but is never changed: fewer partitions declared
	// than the topic has, another replication factor.
	Notes []string
}

// Repartition reports whether partitions are to be added.
func (c TopicChange) Repartition() bool { return !c.Create && c.Topic.Partitions > c.Current }

// Pending reports whether the topic needs a change.
func (c TopicChange) Pending() bool { return c.Create || c.Repartition() || len(c.Configs) > 0 }

// TopicPlan is what topicsync.PlanTopics found: one change per declared topic, in
// declaration order.
type TopicPlan struct {
	Changes []TopicChange
}

// Pending reports whether any topic needs a change.
func (p TopicPlan) Pending() bool {
	return slices.ContainsFunc(p.Changes, TopicChange.Pending)
}

// Counts returns how many topics are to be created, altered (configs) and
// repartitioned.
func (p TopicPlan) Counts() (create, alter, repartition int) {
	for _, c := range p.Changes {
		if c.Create {
			create++
		}
		if len(c.Configs) > 0 {
			alter++
		}
		if c.Repartition() {
			repartition++
		}
	}
	return
}

// Write prints the plan, one line per action and note, then a summary:
//
//	create orders: 3 partitions, replication factor 1, cleanup.policy=compact
//	alter orders_dlq: retention.ms 604800000 (default) -> 3600000
//	repartition payments: 1 -> 3 partitions
//	note payments: declares 1 partition but has 3; partitions are never removed, left as is
//	plan: 1 to create, 1 to alter, 1 to repartition, 2 up to date
func (p TopicPlan) Write(w io.Writer) error { return p.write(w, false, SyncAlign) }

// WriteApplied prints what topicsync.ApplyTopicPlan did with p in mode, in the past
// tense ("created", "altered", "repartitioned", then "done: ..."). In
// [SyncCreate] mode an existing topic that differs gets a note instead.
func (p TopicPlan) WriteApplied(w io.Writer, mode SyncMode) error { return p.write(w, true, mode) }

func (p TopicPlan) write(w io.Writer, applied bool, mode SyncMode) error {
	verb := map[string]string{"create": "create", "alter": "alter", "repartition": "repartition"}
	if applied {
		verb = map[string]string{"create": "created", "alter": "altered", "repartition": "repartitioned"}
	}
	var b strings.Builder
	upToDate, differ := 0, 0
	for _, c := range p.Changes {
		name := c.Topic.Name
		if !c.Pending() {
			upToDate++
		}
		if c.Create {
			fmt.Fprintf(&b, "%s %s: %s, replication factor %d", verb["create"], name, plural(int(c.Topic.Partitions), "partition"), c.Topic.ReplicationFactor)
			for _, k := range slices.Sorted(maps.Keys(c.Topic.Configs)) {
				fmt.Fprintf(&b, ", %s=%s", k, c.Topic.Configs[k])
			}
			b.WriteByte('\n')
		}
		if mode == SyncCreate && !c.Create && c.Pending() {
			differ++
			fmt.Fprintf(&b, "note %s: exists and differs from its declaration; left as is (topics align changes it)\n", name)
			continue
		}
		if len(c.Configs) > 0 {
			parts := make([]string, len(c.Configs))
			for i, cc := range c.Configs {
				from := cc.From
				if from == "" {
					from = "(none)"
				} else if cc.FromDefault {
					from += " (default)"
				}
				parts[i] = fmt.Sprintf("%s %s -> %s", cc.Key, from, cc.To)
			}
			fmt.Fprintf(&b, "%s %s: %s\n", verb["alter"], name, strings.Join(parts, ", "))
		}
		if c.Repartition() {
			fmt.Fprintf(&b, "%s %s: %d -> %d partitions\n", verb["repartition"], name, c.Current, c.Topic.Partitions)
		}
		for _, n := range c.Notes {
			fmt.Fprintf(&b, "note %s: %s\n", name, n)
		}
	}
	cr, al, rp := p.Counts()
	switch {
	case !applied:
		fmt.Fprintf(&b, "plan: %d to create, %d to alter, %d to repartition, %d up to date\n", cr, al, rp, upToDate)
	case mode == SyncCreate:
		fmt.Fprintf(&b, "done: %d created, %d left as they differ, %d up to date\n", cr, differ, upToDate)
	default:
		fmt.Fprintf(&b, "done: %d created, %d altered, %d repartitioned, %d up to date\n", cr, al, rp, upToDate)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
