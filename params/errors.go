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
	detail := strings.TrimPrefix(err.Error(), ErrParse.Error()+": ")
	errs := []error{err}
	if !errors.Is(err, ErrParse) {
		errs = []error{ErrParse, err}
	}
	return &ingestError{
		msg: fmt.Sprintf("%s: topic %q partition %d offset %d: parser %q: %s",
			ErrParse, md.Topic, md.Partition, md.Offset, parser, detail),
		errs: errs,
	}
}
