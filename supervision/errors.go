package supervision

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// Sentinel errors.
var (
	ErrInvalidConfig = errors.New("supervision: invalid config")
	ErrRestartLimit  = errors.New("supervision: restart limit reached")
	ErrPermanent     = errors.New("supervision: permanent failure")
	ErrOutage        = errors.New("supervision: a service the message needs is unavailable")
)

// PanicError is a recovered panic with the stack where it happened.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}

// Recover runs fn and turns a panic into a *PanicError.
func Recover(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	return fn()
}

type permanent struct{ err error }

func (p permanent) Error() string   { return p.err.Error() }
func (p permanent) Unwrap() []error { return []error{p.err, ErrPermanent} }

// Permanent marks err as one that retrying cannot fix: the message goes to
// the dead letter topic at once. Both errors.Is(result, ErrPermanent) and
// errors.Is(result, err) hold; the message is err's.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// IsPermanent reports whether err was marked Permanent.
func IsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }

type outage struct{ err error }

func (o outage) Error() string   { return o.err.Error() }
func (o outage) Unwrap() []error { return []error{o.err, ErrOutage} }

// Outage marks err as an outage of something the message needs (a schema
// registry, a database) rather than a fault of the message: it is retried
// with the policy's backoff, capped at Backoff.Max, for as long as it fails
// so, its partition waiting, and never dead-lettered for it. Attempts does
// not bound it. Both errors.Is(result, ErrOutage) and errors.Is(result, err)
// hold; the message is err's. Permanent wins over Outage.
func Outage(err error) error {
	if err == nil {
		return nil
	}
	return outage{err}
}

// IsOutage reports whether err was marked Outage (and not Permanent).
func IsOutage(err error) bool { return errors.Is(err, ErrOutage) && !IsPermanent(err) }
