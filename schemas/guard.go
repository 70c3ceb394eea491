package schemas

import "fmt"

// guarded is a codec whose every call turns a panic of the library below
// (a hostile payload that trips a decoder's bug) into an error wrapping
// ErrMismatch, so one record can neither crash its partition actor nor
// restart it forever: it is malformed, and dead-lettered.
type guarded struct{ c codec }

func recovered(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: the decoder failed on this payload: %v", ErrMismatch, r)
	}
}

func (g guarded) check(payload []byte) (err error) {
	defer recovered(&err)
	return g.c.check(payload)
}

func (g guarded) generic(payload []byte) (v any, err error) {
	defer recovered(&err)
	return g.c.generic(payload)
}

func (g guarded) decode(payload []byte, v any) (err error) {
	defer recovered(&err)
	return g.c.decode(payload, v)
}

func (g guarded) appendEncode(b []byte, v any) (out []byte, err error) {
	defer recovered(&err)
	return g.c.appendEncode(b, v)
}

func (g guarded) appendJSON(b []byte, doc []byte) (out []byte, err error) {
	defer recovered(&err)
	return g.c.appendJSON(b, doc)
}

func (g guarded) name() string { return g.c.name() }
