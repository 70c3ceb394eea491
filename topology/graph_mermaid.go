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
	root := id("supervisor", g.App)
	bw.WriteString("flowchart LR\n")
	fmt.Fprintf(bw, "  %s[%s]\n", root, mermaidQuote("root supervisor "+g.App+"\n"+g.Supervisor.summary()))
	topics := map[string]bool{}
	topic := func(name string) string {
		n := id("topic", name)
		if !topics[name] {
			topics[name] = true
			fmt.Fprintf(bw, "  %s([%s])\n", n, mermaidQuote(name))
		}
		return n
	}
	for _, l := range g.Listeners {
		ln := id("listener", l.Topic)
		pn := id("partitions", l.Topic)
		fmt.Fprintf(bw, "  %s[%s]\n", ln, mermaidQuote("listener "+l.Topic+"\ngroup "+l.Group+"\ncontroller "+l.Controller))
		fmt.Fprintf(bw, "  %s[%s]\n", pn, mermaidQuote("partition actors\n"+l.Partitions.Cardinality+"\n"+l.Partitions.Supervisor.summary()+"\n"+l.Partitions.Retry.summary()))
		fmt.Fprintf(bw, "  %s --> %s\n", root, ln)
		fmt.Fprintf(bw, "  %s --> %s\n", ln, pn)
		fmt.Fprintf(bw, "  %s -. consumes .-> %s\n", topic(l.Topic), ln)
		if dl := l.Partitions.DeadLetter; dl != "" {
			fmt.Fprintf(bw, "  %s -. dead letter .-> %s\n", pn, topic(dl))
		}
		if r := l.Partitions.Responder; r != nil {
			rn := id("responder", l.Topic)
			fmt.Fprintf(bw, "  %s[%s]\n", rn, mermaidQuote("responder "+r.Name))
			fmt.Fprintf(bw, "  %s --> %s\n", pn, rn)
			for _, t := range r.Topics {
				fmt.Fprintf(bw, "  %s -. %s .-> %s\n", rn, t.usage(), topic(t.Name))
			}
		}
	}
	return bw.Flush()
}

// mermaidQuote returns s as a quoted Mermaid label; newlines become <br/>.
func mermaidQuote(s string) string {
	r := strings.NewReplacer(`"`, "#quot;", "\n", "<br/>")
	return `"` + r.Replace(s) + `"`
}
