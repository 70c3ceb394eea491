package karafkatest

import (
	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/producer"
)

// feedBatches runs the records of a batch route: per partition, in batches
// of at most the route's BatchSize; out gets each record's result at its
// feed index.
func (r *Route) feedBatches(records []Record, out Results) {
	var order []int32
	byPartition := map[int32][]int{}
	for i, rec := range records {
		out[i].Record = rec
		if _, ok := byPartition[rec.Partition]; !ok {
			order = append(order, rec.Partition)
		}
		byPartition[rec.Partition] = append(byPartition[rec.Partition], i)
	}
	for _, p := range order {
		idx := byPartition[p]
		size := r.resolved.BatchSize
		if size <= 0 {
			size = len(idx)
		}
		for start := 0; start < len(idx); start += size {
			r.batch(r.partition(p), idx[start:min(start+size, len(idx))], out)
		}
	}
}

// batch runs one batch, the records out[idx...], as the runtime's partition
// actor runs it: tries under pipeline.Isolation (retried at once, the
// backoff not waited out), a new batch controller and responder after each
// failed try, the per-message outcome of the try that answered each record.
func (r *Route) batch(ps *partitionState, idx []int, out Results) {
	ctx := r.context()
	prms := make([]*params.Params, len(idx))
	for k, i := range idx {
		rec := out[i].Record
		prms[k] = params.Lazy(rec.metadata(r.resolved.Topic), rec.Value, r.resolved.Parser)
	}
	// Isolation is told there is a dead letter topic even when there is
	// none: a record whose tries ran out is then settled (Blocked, as Feed
	// reports it for a per-message route) and the batch goes on, where the
	// runtime would retry that record forever.
	iso := pipeline.NewIsolation(len(idx), r.resolved.RetryPolicy, true)
	for !iso.Done() {
		lo, hi := iso.Span()
		if ps.batch == nil {
			ps.batch = pipeline.NewBatch(&r.resolved, r.log).Limit(producer.DefaultMaxMessageBytes)
		}
		outcomes, err := ps.batch.Try(ctx, prms[lo:hi])
		if err != nil {
			ps.batch = nil // the supervisor restarts the partition actor
			step := iso.Failed(err)
			for j := lo; j < hi; j++ {
				if step.Action == pipeline.DeadLetterMessage && j == step.Index {
					r.settle(&out[idx[j]], pipeline.Stage(err), step.Attempt, err) // records the failure
					continue
				}
				out[idx[j]].Failures = append(out[idx[j]].Failures, err)
			}
			continue
		}
		for k, o := range outcomes {
			res := &out[idx[lo+k]]
			res.succeeded(len(res.Failures) + 1)
			switch {
			case o.Malformed != nil:
				r.settle(res, "controller", 1, o.Malformed)
			case o.Filtered:
				res.Filtered = true
			default:
				for _, m := range o.Produce {
					res.Produced = append(res.Produced, Message{m})
				}
			}
		}
		iso.Succeeded()
	}
}
