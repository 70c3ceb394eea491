package topology

// nodeKind and edgeKind say what a drawn node or edge stands for; each
// output format picks its own shape or line style for them.
type nodeKind int

const (
	rootNode       nodeKind = iota // the root supervisor
	actorNode                      // a listener or a responder
	partitionsNode                 // a route's partition actors
	topicNode                      // a Kafka topic
)

type edgeKind int

const (
	superviseEdge  edgeKind = iota // parent → child
	consumeEdge                    // input topic → listener
	deadLetterEdge                 // partition actors → dead letter topic
	respondEdge                    // responder → response topic (labelled with its usage)
)

// drawer is one output format of the topology graph.
type drawer interface {
	node(id, label string, kind nodeKind)
	edge(from, to string, kind edgeKind, label string)
}

// draw walks g once, in the same order for every format: the root, then
// per listener its node, its partition actors, their edges, the topics as
// they are first met, the virtual actors, the dead letter topic and the
// responder.
func draw(g Graph, d drawer) {
	root := id("supervisor", g.App)
	label := "root supervisor " + g.App + "\n" + g.Supervisor.summary()
	if g.Client != "" {
		label += "\nkafka client " + g.Client
	}
	d.node(root, label, rootNode)
	topics := map[string]bool{}
	topic := func(name string) string {
		n := id("topic", name)
		if !topics[name] {
			topics[name] = true
			d.node(n, name, topicNode)
		}
		return n
	}
	for _, l := range g.Listeners {
		ln := id("listener", l.Topic)
		pn := id("partitions", l.Topic)
		d.node(ln, "listener "+l.Topic+"\ngroup "+l.Group+"\n"+l.controller(), actorNode)
		d.node(pn, "partition actors\n"+l.Partitions.Cardinality+"\n"+l.Partitions.Supervisor.summary()+"\n"+l.Partitions.Retry.summary(), partitionsNode)
		d.edge(root, ln, superviseEdge, "")
		d.edge(ln, pn, superviseEdge, "")
		d.edge(topic(l.Topic), ln, consumeEdge, "consumes")
		if v := l.Partitions.Virtual; v != nil {
			vn := id("virtual", l.Topic)
			d.node(vn, "virtual actors\n"+v.summary()+"\nper-key order", partitionsNode)
			d.edge(pn, vn, superviseEdge, "")
		}
		if dl := l.Partitions.DeadLetter; dl != "" {
			d.edge(pn, topic(dl), deadLetterEdge, "dead letter")
		}
		if r := l.Partitions.Responder; r != nil {
			rn := id("responder", l.Topic)
			d.node(rn, "responder "+r.Name, actorNode)
			d.edge(pn, rn, superviseEdge, "")
			for _, t := range r.Topics {
				d.edge(rn, topic(t.Name), respondEdge, t.usage())
			}
		}
	}
}
