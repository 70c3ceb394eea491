package topology

import (
	"fmt"

	"github.com/karafka-actors/karafka-actors/params"
)

// MaxVirtualPartitions bounds VirtualPartitions.Max: each virtual partition
// is an actor with its own controller, per claimed partition.
const MaxVirtualPartitions = 256

// VirtualPartitions lets one Kafka partition be worked by up to Max
// controller actors at once (Karafka 2.x's virtual partitions: Max is its
// max_partitions, Key its partitioner). Messages are grouped by a virtual
// key: messages of one key go to one virtual actor, which runs them one at a
// time in offset order; messages of different keys may run concurrently and
// finish in any order. Offsets are still committed in order: only up to the
// lowest offset not yet finished, so a slow or failing key holds back the
// commit (and, past consumer.max_in_flight, pauses the partition) but not
// the other keys' processing.
type VirtualPartitions struct {
	// Max is the number of virtual actors per claimed partition: 1 to
	// MaxVirtualPartitions. Keys are spread over them by hash, so two keys
	// may share an actor (and then run one after the other).
	Max int
	// Key chooses a message's virtual key; nil takes the record's key
	// (Metadata().Key). It may read the metadata, the headers or the payload
	// (which it then parses; the controller reuses the parse). Messages
	// whose key is empty, nil included, all go to one virtual actor, in
	// offset order: without a key nothing says their order may be given up.
	// Key runs on the partition's dispatching actor, one message at a time;
	// a panic fails the message (retried, then dead-lettered, like a failing
	// controller) and holds up the whole partition while it is retried.
	Key func(*params.Params) []byte
}

// validate reports what is wrong with v on route r.
func (v *VirtualPartitions) validate(r Route) []error {
	var errs []error
	if v.Max < 1 || v.Max > MaxVirtualPartitions {
		errs = append(errs, fmt.Errorf("%w: virtual_partitions.max %d is not between 1 and %d", ErrInvalidRoute, v.Max, MaxVirtualPartitions))
	}
	if r.BatchController != nil {
		errs = append(errs, fmt.Errorf("%w: not supported yet; use Controller, or drop VirtualPartitions", ErrVirtualBatch))
	}
	return errs
}

// Virtual reports whether the route runs its controller on virtual
// partitions, and how many per claimed partition.
func (r *Resolved) Virtual() (n int, ok bool) {
	if r.VirtualPartitions == nil {
		return 0, false
	}
	return r.VirtualPartitions.Max, true
}
