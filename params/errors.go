package params

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrParse reports a payload the route's parser cannot check, parse or
	// decode.
	ErrParse = errors.New("params: parse failed")

	// ErrUnavailable reports a payload its parser could not check, parse or
	// decode because a service the parser needs (a schema registry) is
	// unavailable: not the payload's fault. A parser returns it (wrapped)
	// instead of ErrParse; the runtime retries such a message with backoff,
	// its partition waiting, and never dead-letters it for that.
	ErrUnavailable = errors.New("params: a service the parser needs is unavailable")

	// ErrUnknownParser reports a parser name Lookup does not know.
	ErrUnknownParser = errors.New("params: unknown parser")
)

// ingestError is what New returns when a payload fails its parser's Check:
// one message naming the record and the parser, unwrapping to ErrParse and to
// the parser's own error.
type ingestError struct {
	msg  string
	errs []error
}

func (e *ingestError) Error() string   { return e.msg }
func (e *ingestError) Unwrap() []error { return e.errs }

func newIngestError(md *Metadata, parser string, err error) error {
	head := ErrParse
	if errors.Is(err, ErrUnavailable) && !errors.Is(err, ErrParse) {
		head = ErrUnavailable // an outage, not a malformed payload
	}
	detail := strings.TrimPrefix(err.Error(), head.Error()+": ")
	errs := []error{err}
	if !errors.Is(err, head) {
		errs = []error{head, err}
	}
	return &ingestError{
		msg: fmt.Sprintf("%s: topic %q partition %d offset %d: parser %q: %s",
			head, md.Topic, md.Partition, md.Offset, parser, detail),
		errs: errs,
	}
}
