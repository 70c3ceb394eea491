package topology

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteMermaid writes g as a Mermaid flowchart (```mermaid blocks render on
// GitHub), drawing the same graph as WriteDOT: solid arrows are supervision,
// dashed arrows (-.->) are data, topics are stadium-shaped nodes.
func WriteMermaid(w io.Writer, g Graph) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("flowchart LR\n")
	draw(g, mermaidDrawer{bw})
	return bw.Flush()
}

type mermaidDrawer struct{ w *bufio.Writer }

func (d mermaidDrawer) node(id, label string, kind nodeKind) {
	if kind == topicNode {
		fmt.Fprintf(d.w, "  %s([%s])\n", id, mermaidQuote(label))
		return
	}
	fmt.Fprintf(d.w, "  %s[%s]\n", id, mermaidQuote(label))
}

func (d mermaidDrawer) edge(from, to string, kind edgeKind, label string) {
	if kind == superviseEdge {
		fmt.Fprintf(d.w, "  %s --> %s\n", from, to)
		return
	}
	fmt.Fprintf(d.w, "  %s -. %s .-> %s\n", from, label, to)
}

// mermaidQuote returns s as a quoted Mermaid label; newlines become <br/>.
func mermaidQuote(s string) string {
	r := strings.NewReplacer(`"`, "#quot;", "\n", "<br/>")
	return `"` + r.Replace(s) + `"`
}
