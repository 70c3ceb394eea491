package topology

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteDOT writes g as a Graphviz digraph (render with `dot -Tsvg`). Solid
// edges are supervision (parent → child); dashed edges are data: input topic
// → listener, responder → response topic (labelled always/conditionally),
// and dotted edges partition actors → dead letter topic. Actors are boxes,
// topics are ellipses.
func WriteDOT(w io.Writer, g Graph) error {
	bw := bufio.NewWriter(w)
	root := id("supervisor", g.App)
	fmt.Fprintf(bw, "digraph %s {\n", dotQuote(g.App))
	bw.WriteString("  rankdir=LR;\n")
	bw.WriteString("  node [shape=box, fontname=\"Helvetica\"];\n")
	bw.WriteString("  edge [fontname=\"Helvetica\", fontsize=10];\n")
	fmt.Fprintf(bw, "  %s [label=%s, style=bold];\n", root, dotQuote("root supervisor "+g.App+"\n"+g.Supervisor.summary()))
	topics := map[string]bool{}
	topic := func(name string) string {
		n := id("topic", name)
		if !topics[name] {
			topics[name] = true
			fmt.Fprintf(bw, "  %s [label=%s, shape=ellipse];\n", n, dotQuote(name))
		}
		return n
	}
	for _, l := range g.Listeners {
		ln := id("listener", l.Topic)
		pn := id("partitions", l.Topic)
		fmt.Fprintf(bw, "  %s [label=%s];\n", ln, dotQuote("listener "+l.Topic+"\ngroup "+l.Group+"\ncontroller "+l.Controller))
		fmt.Fprintf(bw, "  %s [label=%s, style=dashed];\n", pn, dotQuote("partition actors\n"+l.Partitions.Cardinality+"\n"+l.Partitions.Supervisor.summary()+"\n"+l.Partitions.Retry.summary()))
		fmt.Fprintf(bw, "  %s -> %s;\n", root, ln)
		fmt.Fprintf(bw, "  %s -> %s;\n", ln, pn)
		fmt.Fprintf(bw, "  %s -> %s [style=dashed, label=\"consumes\"];\n", topic(l.Topic), ln)
		if dl := l.Partitions.DeadLetter; dl != "" {
			fmt.Fprintf(bw, "  %s -> %s [style=dotted, label=\"dead letter\"];\n", pn, topic(dl))
		}
		if r := l.Partitions.Responder; r != nil {
			rn := id("responder", l.Topic)
			fmt.Fprintf(bw, "  %s [label=%s];\n", rn, dotQuote("responder "+r.Name))
			fmt.Fprintf(bw, "  %s -> %s;\n", pn, rn)
			for _, t := range r.Topics {
				fmt.Fprintf(bw, "  %s -> %s [style=dashed, label=%s];\n", rn, topic(t.Name), dotQuote(t.usage()))
			}
		}
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// dotQuote returns s as a DOT quoted string; newlines become \n.
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
