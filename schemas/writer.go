package schemas

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/karafka-actors/karafka-actors/responders"
)

// Strategy is how a responder topic's subject is named.
type Strategy int

// The subject name strategies of Confluent's serializers.
const (
	// TopicNameStrategy: "<topic>-value".
	TopicNameStrategy Strategy = iota
	// RecordNameStrategy: the record's fully qualified name.
	RecordNameStrategy
	// TopicRecordNameStrategy: "<topic>-<record>".
	TopicRecordNameStrategy
	// FixedSubject: one subject named outright.
	FixedSubject
)

func (s Strategy) String() string {
	switch s {
	case TopicNameStrategy:
		return "topic name"
	case RecordNameStrategy:
		return "record name"
	case TopicRecordNameStrategy:
		return "topic-record name"
	}
	return "fixed subject"
}

// Writer is a responders.Schema: the values a responder sends to a topic
// are encoded with, or checked against, the schema of the topic's subject,
// before anything of the response is sent. Make one with TopicName,
// RecordName, TopicRecordName or Subject, and declare it on the topic:
//
//	karafka.Required("users_created").WithSchema(reg.TopicName().Register(schemas.Avro, userSchema))
//
// Without Register the subject's latest version is used (asked again after
// Config.SubjectTTL; kept while the registry cannot be asked). Errors: a value that does not fit wraps
// responders.ErrSchema and ErrMismatch (the message is dead-lettered with
// the reason); anything wrong with the subject rather than the value (the
// registry unreachable, the subject missing, the declared schema refused,
// the subject holding another format) wraps ErrUnavailable: the message
// waits and is tried again.
type Writer struct {
	reg      *Registry
	strategy Strategy
	record   string // RecordName strategies: the record's name; FixedSubject: the subject
	format   Format // 0: any
	text     string // Register: the schema to register
	refs     []Reference

	// last is the schema Register last gave, for its subject: Encode
	// finds it without hashing the text under the registry's lock.
	last atomic.Pointer[registered]
}

// registered is a schema a Writer registered, under subject.
type registered struct {
	subject string
	s       *Schema
}

// TopicName writes under "<topic>-value".
func (r *Registry) TopicName() *Writer { return r.writer(TopicNameStrategy, "") }

// RecordName writes under record, a fully qualified record or message name.
func (r *Registry) RecordName(record string) *Writer { return r.writer(RecordNameStrategy, record) }

// TopicRecordName writes under "<topic>-<record>".
func (r *Registry) TopicRecordName(record string) *Writer {
	return r.writer(TopicRecordNameStrategy, record)
}

// Subject writes under subject, whatever the topic.
func (r *Registry) Subject(subject string) *Writer { return r.writer(FixedSubject, subject) }

func (r *Registry) writer(s Strategy, record string) *Writer {
	return &Writer{reg: r, strategy: s, record: record}
}

// Format requires the subject's schema to be of f (else ErrWrongFormat).
func (w *Writer) Format(f Format) *Writer {
	c := w.clone()
	c.format = f
	return c
}

// Register makes the writer register text (of format f) under its subject
// on first use, or find it there, and encode with it. A text that does not
// compile fails the route's validation; one the registry refuses
// (incompatible with the subject's versions) makes the messages wait, with
// an error saying so, until the schema or the subject's compatibility is
// fixed.
func (w *Writer) Register(f Format, text string, refs ...Reference) *Writer {
	c := w.clone()
	c.format, c.text, c.refs = f, text, refs
	return c
}

func (w *Writer) clone() *Writer {
	return &Writer{reg: w.reg, strategy: w.strategy, record: w.record, format: w.format, text: w.text, refs: w.refs}
}

var _ responders.Schema = (*Writer)(nil)

// Usable reports whether the writer can work: its registry is configured
// and the schema it declares with Register compiles (checked when routes
// are validated, before anything connects; a schema with references is
// compiled when first used, as its references live in the registry).
func (w *Writer) Usable() error {
	if err := w.reg.Usable(); err != nil {
		return err
	}
	if w.text != "" && len(w.refs) == 0 {
		if _, err := compile(source{format: w.format, text: w.text}); err != nil {
			return err
		}
	}
	return nil
}

// SubjectOf is the subject the writer uses for topic.
func (w *Writer) SubjectOf(topic string) string {
	switch w.strategy {
	case TopicNameStrategy:
		return topic + "-value"
	case RecordNameStrategy, FixedSubject:
		return w.record
	}
	return topic + "-" + w.record
}

// Describe names the writer for topic, as flow shows it.
func (w *Writer) Describe(topic string) string {
	f := "schema"
	if w.format != 0 {
		f = w.format.String()
	}
	return fmt.Sprintf("%s subject %s (%s)", f, w.SubjectOf(topic), w.strategy)
}

// schema is the schema to encode topic's values with.
func (w *Writer) schema(ctx context.Context, topic string) (*Schema, error) {
	subject := w.SubjectOf(topic)
	if w.text != "" {
		if last := w.last.Load(); last != nil && last.subject == subject {
			return last.s, nil
		}
		s, err := w.reg.Register(ctx, subject, w.format, w.text, w.refs...) // kept by the registry
		if err != nil {
			return nil, w.fail(subject, err)
		}
		w.last.Store(&registered{subject: subject, s: s})
		return s, nil
	}
	s, err := w.reg.Latest(ctx, subject)
	if err != nil {
		return nil, w.fail(subject, err)
	}
	if w.format != 0 && s.Format != w.format {
		return nil, w.fail(subject, fmt.Errorf("%w: subject %q holds %s, the topic is declared %s", ErrWrongFormat, subject, s.Format, w.format))
	}
	return s, nil
}

// fail classifies a failure to find subject's schema. Whatever it is (the
// registry down, the subject missing, the declared schema refused as
// incompatible or invalid, the subject holding another format), it is the
// deployment's fault, not the value's: the message waits, with an error
// saying what to fix, rather than every response being dead-lettered.
func (w *Writer) fail(subject string, err error) error {
	switch {
	case errors.Is(err, ErrUnavailable):
		return err
	case errors.Is(err, ErrUnknownSubject):
		return unavailable{fmt.Errorf("%w: %w (register it, or declare the topic's schema with Register)", ErrUnavailable, err)}
	case errors.Is(err, ErrIncompatible):
		return unavailable{fmt.Errorf("%w: the registry refuses the topic's declared schema under subject %q: %w (make the schema compatible, or change the subject's compatibility level)", ErrUnavailable, subject, err)}
	}
	return unavailable{fmt.Errorf("%w: subject %q: %w", ErrUnavailable, subject, err)}
}

// Encode encodes v with the schema of topic's subject.
func (w *Writer) Encode(topic string, v any) ([]byte, error) {
	s, err := w.schema(context.Background(), topic)
	if err != nil {
		return nil, err
	}
	out, err := s.Encode(v)
	if err != nil {
		return nil, fmt.Errorf("%w: subject %q %w", responders.ErrSchema, s.Subject, err) // "schema id N: ..."
	}
	return out, nil
}

// Check checks value, already in the wire format, against the schema its
// header names, which must be of the writer's format.
func (w *Writer) Check(topic string, value []byte) error {
	s, payload, err := w.reg.schemaOf(context.Background(), value)
	switch {
	case errors.Is(err, ErrUnavailable):
		return err
	case err != nil:
		return fmt.Errorf("%w: %w", responders.ErrSchema, err)
	case w.format != 0 && s.Format != w.format:
		return fmt.Errorf("%w: %w: schema id %d is %s, the topic is declared %s", responders.ErrSchema, ErrWrongFormat, s.ID, s.Format, w.format)
	}
	if err := s.codec.check(payload); err != nil {
		return fmt.Errorf("%w: schema id %d: %w", responders.ErrSchema, s.ID, err)
	}
	return nil
}
