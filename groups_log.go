package karafka

import (
	"log/slog"

	"github.com/karafka-actors/karafka-actors/topology"
)

// logGroups logs, at start, each consumer group the app joins: its topics
// and the processing guarantee it runs with, so that an operator reading
// the log knows which groups commit in transactions.
func logGroups(log *slog.Logger, routes []topology.Resolved) {
	type group struct {
		topics    []string
		guarantee topology.Guarantee
	}
	var order []string
	groups := map[string]*group{}
	for _, r := range routes {
		g := groups[r.Group]
		if g == nil {
			g = &group{guarantee: r.Guarantee}
			if g.guarantee == topology.GuaranteeDefault {
				g.guarantee = topology.AtLeastOnce
			}
			groups[r.Group] = g
			order = append(order, r.Group)
		}
		g.topics = append(g.topics, r.Topic)
	}
	for _, name := range order {
		g := groups[name]
		log.Info("consumer group", "group", name, "topics", g.topics, "guarantee", string(g.guarantee))
	}
}
