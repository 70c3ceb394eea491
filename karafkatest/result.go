package karafkatest

// Result is what became of one fed record. Exactly one holds:
//   - Filtered: a before-filter dropped it; nothing was produced;
//   - Err == nil: the controller (and the responder) succeeded; Produced
//     holds what would be produced, in order, possibly nothing;
//   - DeadLetter != nil: its tries ran out (or it can never succeed); Err
//     is the last failure, an *karafka.ProcessingError;
//   - Blocked: its tries ran out and the route has no dead letter topic, or
//     it failed for an outage (supervision.Outage, params.ErrUnavailable),
//     so the runtime would keep retrying it, holding its partition up; Err
//     is the last failure.
type Result struct {
	Record     Record
	Filtered   bool
	Produced   []Message
	DeadLetter *Message
	Blocked    bool
	// Err is the last failure (nil when the record was processed or
	// filtered): an *karafka.ProcessingError naming the stage and the try.
	Err error
	// Attempts counts the tries of the stage that failed last, the one
	// that then succeeded included (0 when none failed): a record whose
	// controller failed once and then succeeded has Err nil and Attempts 2.
	// For a batch route it counts the tries of the spans that held the
	// record.
	Attempts int
	// Failures are the record's failed tries, in order (for a batch route,
	// those of the spans that held it); empty when every stage succeeded
	// at its first try.
	Failures []error
}

// succeeded records that try attempt of a stage succeeded: Err is cleared,
// and Attempts says how many tries it took when an earlier one failed.
func (r *Result) succeeded(attempt int) {
	r.Err = nil
	if attempt > 1 {
		r.Attempts = attempt
	}
}

// Results are the results of the records of one Feed, in feed order.
type Results []Result

// Produced returns every message the records would produce, in order.
func (rs Results) Produced() []Message {
	var out []Message
	for _, r := range rs {
		out = append(out, r.Produced...)
	}
	return out
}

// To returns the messages the records would produce to topic, in order.
func (rs Results) To(topic string) []Message {
	var out []Message
	for _, r := range rs {
		for _, m := range r.Produced {
			if m.Topic == topic {
				out = append(out, m)
			}
		}
	}
	return out
}

// DeadLetters returns the dead letters of the records, in order.
func (rs Results) DeadLetters() []Message {
	var out []Message
	for _, r := range rs {
		if r.DeadLetter != nil {
			out = append(out, *r.DeadLetter)
		}
	}
	return out
}

// Filtered counts the records a before-filter dropped.
func (rs Results) Filtered() int {
	n := 0
	for _, r := range rs {
		if r.Filtered {
			n++
		}
	}
	return n
}
