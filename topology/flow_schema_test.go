package topology_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"
)

type describedSchema struct{}

func (describedSchema) Encode(string, any) ([]byte, error) { return nil, nil }
func (describedSchema) Check(string, []byte) error         { return nil }
func (describedSchema) Describe(topic string) string {
	return "avro subject " + topic + "-value (topic name)"
}

// A responder topic's schema shows in flow and in every drawing of the graph.
func TestFlow_showsResponderTopicSchemas(t *testing.T) {
	routes := []topology.Resolved{{Route: topology.Route{Topic: "orders"},
		ResponderTopics: []responders.Topic{responders.Required("confirmed").WithSchema(describedSchema{}), responders.Optional("audit")}}}
	var buf bytes.Buffer
	if err := topology.WriteFlow(&buf, routes); err != nil {
		t.Fatal(err)
	}
	want := "  - confirmed:            (always, exactly once, avro subject confirmed-value (topic name))\n  - audit:                (conditionally, exactly once)\n"
	if !strings.HasSuffix(buf.String(), want) {
		t.Fatalf("flow:\n%s\nwant it to end with:\n%s", buf.String(), want)
	}
	g := topology.NewGraph("app", supervision.DefaultConfig(), routes)
	if got := g.Listeners[0].Partitions.Responder.Topics[0].Schema; got != "avro subject confirmed-value (topic name)" {
		t.Fatalf("graph schema %q", got)
	}
}
