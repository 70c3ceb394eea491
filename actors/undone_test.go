package actors

import (
	"context"
	"errors"
	"testing"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/topology"
)

func TestClaims_report(t *testing.T) {
	d := newTestDeps(t, ackSender{}, nil)
	part := func(topic string, id int32, outstanding int) *partition {
		p := newPartition(d, &topology.Resolved{Route: topology.Route{Topic: topic}}, id, marks(func(int64) {}))
		for i := range outstanding {
			p.accept(&client.Record{Topic: topic, Partition: id, Offset: int64(i)})
		}
		return p
	}
	cases := []struct {
		name  string
		run   func(c *claims)
		cause error
		want  string // "" for no error
	}{
		{"nothing claimed", func(c *claims) {}, nil, ""},
		{"drained before shutdown", func(c *claims) { p := part("a", 0, 0); c.add(p); c.stopping.Store(true); c.remove(p) }, nil, ""},
		{"revoked undone by a rebalance, not shutdown", func(c *claims) { p := part("a", 0, 3); c.add(p); c.remove(p) }, nil, ""},
		{"one message handed back at shutdown", func(c *claims) {
			p := part("a", 0, 1)
			c.add(p)
			c.stopping.Store(true)
			c.remove(p)
		}, nil, "actors: undone messages: 1 message of a/0 (1) left uncommitted, to be consumed again on the next start"},
		{"handed back and still claimed, sorted, with the cause", func(c *claims) {
			c.add(part("b", 0, 2))
			p := part("a", 1, 3)
			c.add(p)
			c.add(part("a", 0, 0))
			c.stopping.Store(true)
			c.remove(p)
		}, context.DeadlineExceeded, "actors: undone messages: 5 messages of a/1 (3), b/0 (2) left uncommitted, to be consumed again on the next start: context deadline exceeded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c claims
			tc.run(&c)
			err := c.report(tc.cause)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("report() = %v, want nil", err)
				}
				return
			}
			if err == nil || err.Error() != tc.want {
				t.Fatalf("report() = %v\nwant %s", err, tc.want)
			}
			if !errors.Is(err, ErrUndone) || (tc.cause != nil && !errors.Is(err, tc.cause)) {
				t.Errorf("report() = %v does not match ErrUndone and the cause", err)
			}
		})
	}
}
