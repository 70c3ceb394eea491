package params

import "errors"

// Params is one consumed record as a controller sees it: metadata, the raw
// payload, and the payload parsed lazily by the route's parser.
//
// A Params is used by one goroutine at a time.
type Params struct {
	md     Metadata
	raw    []byte
	parser Parser
	value  any
	err    error
	parsed bool
	// valid: the payload is known to be well formed (checked, or a Value or
	// Decode succeeded and the parser says that proves it).
	valid bool
	// proven: a successful Value or Decode proves the parser's Check.
	proven bool
	// invalid is the parser's Check failure, once it ran and failed.
	invalid error
	// unavailable: the last Check could not look at the payload (it
	// failed with ErrUnavailable); it is not kept as invalid.
	unavailable bool
	// outage is the last Value or Decode failure that could not look at
	// the payload, until TakeOutage.
	outage error
}

// New wraps one record. It runs p.Check on raw; when the payload is invalid it
// returns nil and an error wrapping ErrParse that names the record's topic,
// partition and offset and the parser (ErrUnavailable instead, when the
// parser could not look at it). A nil p means JSON, the default.
//
// raw is kept, not copied.
func New(md Metadata, raw []byte, p Parser) (*Params, error) {
	if p == nil {
		p = JSON
	}
	if err := p.Check(raw); err != nil {
		return nil, newIngestError(&md, p.Name(), err)
	}
	return &Params{md: md, raw: raw, parser: p, valid: true}, nil
}

// Lazy wraps one record, deferring its parser's Check when a successful
// Parse or Decode proves it ([CheckProver]: JSON and Raw). Nothing is lost: a
// Value or Decode that succeeds proves the payload well formed, and Valid
// checks it otherwise. The runtime uses it so that a payload the controller
// decodes is scanned once, not twice (the check alone was ~8% of a message's
// CPU). Any other parser's Check runs now, as in New; its failure is kept
// and reported by Rejected and Valid. A nil p means JSON.
func Lazy(md Metadata, raw []byte, p Parser) *Params {
	return LazyAt(new(Params), md, raw, p)
}

// LazyAt is Lazy that fills *dst instead of allocating, for a runtime that
// keeps a Params inside its own per-message state (one allocation less per
// message). dst is overwritten; it must not be in use. It returns dst.
func LazyAt(dst *Params, md Metadata, raw []byte, p Parser) *Params {
	if p == nil {
		p = JSON
	}
	*dst = Params{md: md, raw: raw, parser: p, proven: provesCheck(p)}
	if !dst.proven {
		_ = dst.Valid() // a Decode would not prove this Check: run it at ingest
	}
	return dst
}

// RejectedAt fills *dst with the params of a record rejected before its
// payload was looked at, such as one too large to process: Rejected,
// Valid and Value report err. It returns dst.
func RejectedAt(dst *Params, md Metadata, err error) *Params {
	*dst = Params{md: md, parser: JSON, invalid: err, parsed: true, err: err}
	return dst
}

// Rejected returns the parser's Check failure if the check already ran and
// failed, without running it: Lazy runs the Check of a parser whose Check a
// Decode does not prove. The runtime dead-letters a rejected record before
// any filter or controller sees it.
func (p *Params) Rejected() error { return p.invalid }

// Valid reports whether the payload is well formed for its parser: nil when
// it passed the parser's Check or, for a parser whose Check that proves, was
// successfully parsed or decoded; otherwise the result of the parser's
// Check, an error wrapping ErrParse that names the record. A Check that
// could not look at the payload (ErrUnavailable: a registry down) is not
// kept: its error, wrapping ErrUnavailable, is returned and the next call
// checks again.
func (p *Params) Valid() error {
	if p.valid {
		return nil
	}
	if p.invalid != nil {
		return p.invalid
	}
	err := p.parser.Check(p.raw)
	switch {
	case err == nil:
		p.valid, p.unavailable = true, false
		return nil
	case outage(err):
		p.unavailable = true
		return newIngestError(&p.md, p.parser.Name(), err)
	}
	p.unavailable = false
	p.invalid = newIngestError(&p.md, p.parser.Name(), err)
	return p.invalid
}

// Unavailable checks the payload again when its last Check could not look
// at it (ErrUnavailable): it returns that Check's error, wrapping
// ErrUnavailable, while it still cannot; nil once the Check passed or
// failed for good (Rejected then reports it), or when no Check failed so.
func (p *Params) Unavailable() error {
	if !p.unavailable {
		return nil
	}
	if err := p.Valid(); err != nil && p.unavailable {
		return err
	}
	return nil
}

// Metadata returns the record's metadata, without copying it.
func (p *Params) Metadata() *Metadata { return &p.md }

// Raw returns the payload exactly as consumed.
func (p *Params) Raw() []byte { return p.raw }

// Value returns the payload parsed by the parser's Parse. The payload is
// parsed on the first call only; later calls return the same value or error.
// A Parse that could not look at the payload (ErrUnavailable: a registry
// down) is not kept: the next call parses again, and the failure is noted
// for the runtime (see TakeOutage), whatever the caller made of it.
func (p *Params) Value() (any, error) {
	if !p.parsed {
		v, err := p.parser.Parse(p.raw)
		if outage(err) {
			p.outage = err
			return nil, err
		}
		p.value, p.err, p.parsed = v, err, true
		p.valid = p.valid || (p.proven && p.err == nil)
	}
	return p.value, p.err
}

// Decode decodes the payload into v (usually a pointer to a struct) straight
// from the raw bytes, without going through Value. A Decode that could not
// look at the payload (ErrUnavailable) is noted as Value's is.
func (p *Params) Decode(v any) error {
	err := p.parser.Decode(p.raw, v)
	if outage(err) {
		p.outage = err
	}
	p.valid = p.valid || (p.proven && err == nil)
	return err
}

// TakeOutage returns, and forgets, the last failure of Value or Decode that
// could not look at the payload (ErrUnavailable) since the previous call:
// the runtime asks after a try, so that a message whose filter or
// controller saw its fields as absent during a registry outage is tried
// again, never committed or dead-lettered for it. Nil when there was none.
func (p *Params) TakeOutage() error {
	err := p.outage
	p.outage = nil
	return err
}

// outage reports whether err is the parser's "could not look" failure.
func outage(err error) bool {
	return err != nil && errors.Is(err, ErrUnavailable) && !errors.Is(err, ErrParse)
}
