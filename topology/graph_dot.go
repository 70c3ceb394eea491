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
	fmt.Fprintf(bw, "digraph %s {\n", dotQuote(g.App))
	bw.WriteString("  rankdir=LR;\n")
	bw.WriteString("  node [shape=box, fontname=\"Helvetica\"];\n")
	bw.WriteString("  edge [fontname=\"Helvetica\", fontsize=10];\n")
	draw(g, dotDrawer{bw})
	bw.WriteString("}\n")
	return bw.Flush()
}

type dotDrawer struct{ w *bufio.Writer }

func (d dotDrawer) node(id, label string, kind nodeKind) {
	var attrs string
	switch kind {
	case rootNode:
		attrs = ", style=bold"
	case partitionsNode:
		attrs = ", style=dashed"
	case topicNode:
		attrs = ", shape=ellipse"
	}
	fmt.Fprintf(d.w, "  %s [label=%s%s];\n", id, dotQuote(label), attrs)
}

func (d dotDrawer) edge(from, to string, kind edgeKind, label string) {
	switch kind {
	case superviseEdge:
		fmt.Fprintf(d.w, "  %s -> %s;\n", from, to)
	case deadLetterEdge:
		fmt.Fprintf(d.w, "  %s -> %s [style=dotted, label=%s];\n", from, to, dotQuote(label))
	default:
		fmt.Fprintf(d.w, "  %s -> %s [style=dashed, label=%s];\n", from, to, dotQuote(label))
	}
}

// dotQuote returns s as a DOT quoted string; newlines become \n.
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
