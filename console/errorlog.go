package console

import (
	"sync"
	"time"
	"unicode/utf8"

	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/fieldtext"
)

// MaxErrors is how many recent failures a process keeps and reports.
const MaxErrors = 20

// maxErrorText and maxKeyText bound what an entry keeps of an error and
// a key: an error may quote a hostile payload.
const (
	maxErrorText = 512
	maxKeyText   = 256
)

// ErrorLog keeps the last MaxErrors failed tries of a process, from its
// events (events.MessageFailed). It is safe for concurrent use.
type ErrorLog struct {
	mu      sync.Mutex
	entries []ErrorEntry // a ring: next is the oldest once full
	next    int
}

// NewErrorLog returns an empty log; subscribe its Handle to the App's
// bus for events.MessageFailed.
func NewErrorLog() *ErrorLog { return &ErrorLog{} }

// Subscribe subscribes the log to bus and returns the unsubscribe func.
func (l *ErrorLog) Subscribe(bus *events.Bus) func() {
	return bus.Subscribe(l.Handle, events.MessageFailed)
}

// Handle records e if it is a failed try. It copies what it keeps.
func (l *ErrorLog) Handle(e events.Event) {
	if e.Kind != events.MessageFailed {
		return
	}
	entry := ErrorEntry{Time: e.Time, Topic: e.Topic, Group: e.Group, Partition: e.Partition, Offset: e.Offset,
		Attempt: e.Attempt, Stage: e.Stage}
	if entry.Time.IsZero() {
		entry.Time = time.Now()
	}
	entry.Time = entry.Time.UTC()
	if e.Err != nil {
		entry.Error = cut(e.Err.Error(), maxErrorText)
	}
	if e.Key != nil {
		k := keyText(e.Key)
		entry.Key = &k
	}
	l.mu.Lock()
	if len(l.entries) < MaxErrors {
		l.entries = append(l.entries, entry)
	} else {
		l.entries[l.next] = entry
		l.next = (l.next + 1) % MaxErrors
	}
	l.mu.Unlock()
}

// Entries returns the entries, newest first.
func (l *ErrorLog) Entries() []ErrorEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]ErrorEntry, 0, len(l.entries))
	for i := range l.entries {
		// newest is just before next
		j := (l.next - 1 - i + 2*len(l.entries)) % len(l.entries)
		out = append(out, l.entries[j])
	}
	return out
}

// keyText is a key as text, as `consume` prints it (fieldtext.Escape:
// as it is when it is printable UTF-8, Go-quoted otherwise), cut to
// maxKeyText bytes first.
func keyText(k []byte) string {
	return fieldtext.Escape(k[:min(len(k), maxKeyText)])
}

// cut returns s cut to at most n bytes, at a rune boundary, marked.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
