package topology_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"
)

var update = flag.Bool("update", false, "rewrite golden files")

// exampleGraph mirrors the repositories and users examples.
func exampleGraph() topology.Graph {
	sup := supervision.DefaultConfig()
	retry := supervision.DefaultRetryPolicy()
	route := func(topic, ctrl, resp string, filters int, topics ...responders.Topic) topology.Resolved {
		r := topology.Resolved{
			Route:          topology.Route{Topic: topic, Parser: params.JSON},
			ControllerName: ctrl, ResponderName: resp, ResponderTopics: topics,
			StartFromBeginning: true, RetryPolicy: retry, SupervisionConfig: sup,
			DeadLetter: topic + "_dlq",
		}
		r.Group = "app_" + topic
		for range filters {
			r.BeforeFilters = append(r.BeforeFilters, func(*params.Params) bool { return true })
		}
		return r
	}
	backoffSup := sup
	backoffSup.Strategy = supervision.ExponentialBackoff
	users := route("users_create", "UsersCreateController", "UsersCreateResponder", 1,
		responders.Required("users_created"), responders.Optional("users_premium_created"))
	users.SupervisionConfig = backoffSup
	visits := route("visits_track", "VisitsTrackController", "VisitsTrackResponder", 0, responders.Required("visits_counted"))
	visits.BatchController = func() controllers.BatchController { return nil }
	visits.BatchSize = 500
	visits.Guarantee = topology.ExactlyOnce
	repos := route("repositories_created", "RepositoriesCreatedController", "RepositoriesCreatedResponder", 0, responders.Required("sources_created"))
	repos.VirtualPartitions = &topology.VirtualPartitions{Max: 8}
	audit := route("audit", "AuditController", "", 0)
	audit.VirtualPartitions = &topology.VirtualPartitions{Max: 4, Key: func(p *params.Params) []byte { return p.Raw() }}
	g := topology.NewGraph("app", sup, []topology.Resolved{
		users,
		visits,
		route("sources_refresh", "SourcesRefreshController", "SourcesRefreshResponder", 0,
			responders.Optional("sources_refreshed"), responders.Optional("sources_disconnected")),
		repos,
		audit,
	})
	g.Client = "franz"
	return g
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./topology -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestNewGraph_model(t *testing.T) {
	g := exampleGraph()
	if g.FormatVersion != topology.GraphFormatVersion || g.App != "app" || g.Supervisor.Strategy != "one_for_one" || g.Supervisor.Backoff != nil {
		t.Fatalf("root: %+v", g)
	}
	var topics []string
	for _, l := range g.Listeners {
		topics = append(topics, l.Topic)
	}
	if want := []string{"audit", "repositories_created", "sources_refresh", "users_create", "visits_track"}; !reflect.DeepEqual(topics, want) {
		t.Fatalf("listeners not sorted by topic: %v", topics)
	}
	u := g.Listeners[3]
	if u.Partitions.Cardinality != "one per claimed partition" || u.Partitions.Supervisor.Backoff == nil || u.BeforeFilters != 1 ||
		u.Partitions.Responder.Name != "UsersCreateResponder" || !u.Partitions.Responder.Topics[0].Required || u.Partitions.Retry.Attempts != 3 {
		t.Fatalf("users listener: %+v", u)
	}
	if g.Listeners[0].Partitions.Responder != nil {
		t.Fatalf("audit has no responder: %+v", g.Listeners[0].Partitions.Responder)
	}
	if u.Batch != nil {
		t.Fatalf("users is not a batch route: %+v", u.Batch)
	}
	if v := g.Listeners[1].Partitions.Virtual; v == nil || v.Max != 8 || v.Key != "record key" {
		t.Fatalf("repositories_created virtual actors: %+v", v)
	}
	if v := g.Listeners[0].Partitions.Virtual; v == nil || v.Max != 4 || v.Key != "key function" {
		t.Fatalf("audit virtual actors: %+v", v)
	}
	if u.Partitions.Virtual != nil {
		t.Fatalf("users has no virtual partitions: %+v", u.Partitions.Virtual)
	}
	if u.Guarantee != "at_least_once" {
		t.Fatalf("users guarantee %q, want at_least_once", u.Guarantee)
	}
	if v := g.Listeners[4]; v.Batch == nil || v.Batch.MaxSize != 500 || v.Controller != "VisitsTrackController" || v.Guarantee != "exactly_once" {
		t.Fatalf("visits listener: %+v", v)
	}
}

// Every format names the Kafka client the graph says the app runs on, and
// none mentions one when the graph names none (NewGraph's zero value).
func TestGraph_client(t *testing.T) {
	writers := map[string]func(io.Writer, topology.Graph) error{
		"tree": topology.WriteTree, "dot": topology.WriteDOT, "mermaid": topology.WriteMermaid, "json": topology.WriteJSON,
	}
	want := map[string]string{"tree": "app (kafka client franz; root supervisor: ", "dot": `one_for_one, max 10 restarts within 1m0s\nkafka client franz"`,
		"mermaid": "one_for_one, max 10 restarts within 1m0s<br/>kafka client franz\"]", "json": `"client": "franz",`}
	for name, write := range writers {
		g := exampleGraph()
		var buf bytes.Buffer
		if err := write(&buf, g); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), want[name]) {
			t.Errorf("%s does not name the client (%q):\n%s", name, want[name], buf.String())
		}
		g.Client = ""
		buf.Reset()
		if err := write(&buf, g); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), "client") {
			t.Errorf("%s of a graph without a client mentions one:\n%s", name, buf.String())
		}
	}
}

func TestWriteTree_golden(t *testing.T) {
	var buf bytes.Buffer
	if err := topology.WriteTree(&buf, exampleGraph()); err != nil {
		t.Fatal(err)
	}
	golden(t, "examples.tree", buf.Bytes())
}

func TestWriteDOT_goldenAndParses(t *testing.T) {
	var buf bytes.Buffer
	if err := topology.WriteDOT(&buf, exampleGraph()); err != nil {
		t.Fatal(err)
	}
	golden(t, "examples.dot", buf.Bytes())
	nodes, edges := parseDOT(t, buf.String())
	for _, e := range edges {
		if !nodes[e[0]] || !nodes[e[1]] {
			t.Errorf("edge %s -> %s has an undeclared node", e[0], e[1])
		}
	}
	// root → 5 listeners → 5 partition nodes → 4 responders and 2 virtual
	// actor nodes: 16 supervision edges.
	supervision := 0
	for _, e := range edges {
		if e[2] == "" {
			supervision++
		}
	}
	if supervision != 16 {
		t.Errorf("supervision edges: got %d, want 16", supervision)
	}
}

var (
	dotNode = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*) \[(.*)\];$`)
	dotEdge = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*) -> ([A-Za-z_][A-Za-z0-9_]*)( \[(.*)\])?;$`)
	dotAttr = regexp.MustCompile(`^(rankdir=LR|(node|edge) \[.*\]);$`)
	dotQStr = regexp.MustCompile(`"(\\.|[^"\\])*"`)
)

// parseDOT is a minimal parser of the DOT subset WriteDOT emits: a digraph
// of node statements, edge statements and default attributes, one per line,
// with balanced quotes. It returns the nodes and edges (from, to, style).
func parseDOT(t *testing.T, s string) (map[string]bool, [][3]string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if !regexp.MustCompile(`^digraph "[^"]+" \{$`).MatchString(lines[0]) || lines[len(lines)-1] != "}" {
		t.Fatalf("not a digraph block: %q ... %q", lines[0], lines[len(lines)-1])
	}
	nodes := map[string]bool{}
	var edges [][3]string
	for i, l := range lines[1 : len(lines)-1] {
		l = strings.TrimSpace(l)
		// Quoted strings must be balanced; blank them before matching.
		if strings.Count(dotQStr.ReplaceAllString(l, `""`), `"`)%2 != 0 {
			t.Fatalf("line %d: unbalanced quotes: %s", i+2, l)
		}
		plain := dotQStr.ReplaceAllString(l, `Q`)
		switch {
		case dotAttr.MatchString(plain):
		case dotEdge.MatchString(plain):
			m := dotEdge.FindStringSubmatch(plain)
			style := ""
			if strings.Contains(m[4], "style=") {
				style = m[4]
			}
			edges = append(edges, [3]string{m[1], m[2], style})
		case dotNode.MatchString(plain):
			m := dotNode.FindStringSubmatch(plain)
			if nodes[m[1]] {
				t.Errorf("line %d: node %s declared twice", i+2, m[1])
			}
			nodes[m[1]] = true
		default:
			t.Fatalf("line %d: not a DOT statement: %s", i+2, l)
		}
	}
	return nodes, edges
}

func TestWriteMermaid_parses(t *testing.T) {
	var buf bytes.Buffer
	if err := topology.WriteMermaid(&buf, exampleGraph()); err != nil {
		t.Fatal(err)
	}
	golden(t, "examples.mmd", buf.Bytes())
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if lines[0] != "flowchart LR" {
		t.Fatalf("first line %q", lines[0])
	}
	node := regexp.MustCompile(`^  ([A-Za-z0-9_]+)(\["[^"]*"\]|\(\["[^"]*"\]\))$`)
	edge := regexp.MustCompile(`^  ([A-Za-z0-9_]+) (-->|-\. [a-z, ]+ \.->) ([A-Za-z0-9_]+)$`)
	nodes := map[string]bool{}
	for _, l := range lines[1:] {
		switch {
		case node.MatchString(l):
			nodes[node.FindStringSubmatch(l)[1]] = true
		case edge.MatchString(l):
			m := edge.FindStringSubmatch(l)
			if !nodes[m[1]] || !nodes[m[3]] {
				t.Errorf("edge before its nodes: %s", l)
			}
		default:
			t.Errorf("not a mermaid statement: %q", l)
		}
	}
}

func TestWriteJSON_roundTrip(t *testing.T) {
	g := exampleGraph()
	var buf bytes.Buffer
	if err := topology.WriteJSON(&buf, g); err != nil {
		t.Fatal(err)
	}
	golden(t, "examples.json", buf.Bytes())
	var back topology.Graph
	dec := json.NewDecoder(&buf)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, g) {
		t.Fatalf("round trip changed the graph:\n%+v\n%+v", back, g)
	}
	// The documented field names are what a consumer reads without Go types.
	var generic map[string]any
	var buf2 bytes.Buffer
	_ = topology.WriteJSON(&buf2, g)
	if err := json.Unmarshal(buf2.Bytes(), &generic); err != nil {
		t.Fatal(err)
	}
	l := generic["listeners"].([]any)[3].(map[string]any)
	p := l["partitions"].(map[string]any)
	if l["topic"] != "users_create" || p["dead_letter"] != "users_create_dlq" || p["cardinality"] != "one per claimed partition" ||
		p["responder"].(map[string]any)["topics"].([]any)[1].(map[string]any)["multiple_usage"] != false {
		t.Fatalf("documented fields missing: %v", l)
	}
	if _, ok := l["batch"]; ok {
		t.Fatalf("a per-message route has a batch field: %v", l)
	}
	v := generic["listeners"].([]any)[4].(map[string]any)
	if v["batch"].(map[string]any)["max_size"] != float64(500) {
		t.Fatalf("batch.max_size missing: %v", v)
	}
	if d, err := time.ParseDuration(generic["supervisor"].(map[string]any)["within"].(string)); err != nil || d != time.Minute {
		t.Fatalf("within is not a Go duration: %v %v", d, err)
	}
}
