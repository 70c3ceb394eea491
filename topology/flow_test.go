package topology_test

import (
	"bytes"
	"os"

	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/topology"
)

func Example_writeFlow() {
	routes := []topology.Resolved{
		{Route: topology.Route{Topic: "sources_refresh"}, ResponderTopics: []responders.Topic{
			responders.Optional("sources_refreshed"), responders.Optional("sources_disconnected")}},
		{Route: topology.Route{Topic: "repositories_created"}, ResponderTopics: []responders.Topic{responders.Required("sources_created")}},
		{Route: topology.Route{Topic: "audit"}},
		{Route: topology.Route{Topic: "batch"}, ResponderTopics: []responders.Topic{responders.Required("parts").Multiple()}},
	}
	var buf bytes.Buffer
	_ = topology.WriteFlow(&buf, routes)
	os.Stdout.Write(buf.Bytes())
	// Output:
	// audit => (nothing)
	// batch =>
	//   - parts:                (always, one or more)
	// repositories_created =>
	//   - sources_created:      (always, exactly once)
	// sources_refresh =>
	//   - sources_refreshed:    (conditionally, exactly once)
	//   - sources_disconnected: (conditionally, exactly once)
}
