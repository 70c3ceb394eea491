package topology

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteTree writes g as an indented actor supervision tree:
//
//	app (kafka client sarama; root supervisor: one_for_one, max 10 restarts within 1m0s, backoff ...)
//	└── listener users_create (group app_users_create, controller UsersCreateController, parser json, from beginning)
//	    (a batch route names its "batch controller VisitsTrackController (batch of ≤500)";
//	    an exactly-once route ends the list with ", guarantee exactly_once")
//	    └── partition actors: one per claimed partition (one_for_one, ...; retry ...; dead letter users_create_dlq)
//	        ├── virtual actors: 8 per partition, by record key (...) (with virtual partitions only)
//	        └── responder UsersCreateResponder
//	            ├── users_created (always, exactly once)
//	            └── users_premium_created (conditionally, exactly once)
//
// followed, when routes declare topics (TopicSpec), by
//
//	declared topics (the rest takes the defaults):
//	  users_create (route): 6 partition(s), retention.ms=86400000
func WriteTree(w io.Writer, g Graph) error {
	bw := bufio.NewWriter(w)
	client := ""
	if g.Client != "" {
		client = "kafka client " + g.Client + "; "
	}
	fmt.Fprintf(bw, "%s (%sroot supervisor: %s)\n", g.App, client, g.Supervisor.summary())
	for i, l := range g.Listeners {
		last := i == len(g.Listeners)-1
		branch, indent := "├── ", "│   "
		if last {
			branch, indent = "└── ", "    "
		}
		filters := ""
		if l.BeforeFilters > 0 {
			filters = fmt.Sprintf(", %d before-filter(s)", l.BeforeFilters)
		}
		if l.Guarantee == string(ExactlyOnce) {
			filters += ", guarantee exactly_once"
		}
		fmt.Fprintf(bw, "%slistener %s (group %s, %s, parser %s, from %s%s)\n",
			branch, l.Topic, l.Group, l.controller(), l.Parser, l.StartFrom, filters)
		p := l.Partitions
		dlq := "dead letter " + p.DeadLetter
		if p.DeadLetter == "" {
			dlq = "no dead letter: blocks when retries run out"
		}
		fmt.Fprintf(bw, "%s└── partition actors: %s (%s; %s; %s)\n", indent, p.Cardinality, p.Supervisor.summary(), p.Retry.summary(), dlq)
		inner := indent + "    "
		if v := p.Virtual; v != nil {
			fmt.Fprintf(bw, "%s├── virtual actors: %s (each runs the controller on its keys in order)\n", inner, v.summary())
		}
		if p.Responder == nil {
			fmt.Fprintf(bw, "%s└── (no responder)\n", inner)
			continue
		}
		fmt.Fprintf(bw, "%s└── responder %s\n", inner, p.Responder.Name)
		for j, t := range p.Responder.Topics {
			b := "├── "
			if j == len(p.Responder.Topics)-1 {
				b = "└── "
			}
			fmt.Fprintf(bw, "%s    %s%s (%s)\n", inner, b, t.Name, t.usage())
		}
		if len(p.Responder.Topics) == 0 {
			fmt.Fprintf(bw, "%s    └── (no topics)\n", inner)
		}
	}
	if len(g.Topics) > 0 {
		fmt.Fprintf(bw, "\ndeclared topics (the rest takes the defaults):\n")
		for _, t := range g.Topics {
			fmt.Fprintf(bw, "  %s (%s): %s\n", t.Name, t.Role, t.summary())
		}
	}
	return bw.Flush()
}

// id makes a graph node identifier from parts: letters, digits and '_' only.
func id(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteString("__")
		}
		for _, r := range p {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
				b.WriteRune(r)
			default:
				fmt.Fprintf(&b, "_%02x", r)
			}
		}
	}
	return b.String()
}
