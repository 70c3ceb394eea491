package browsertest

import (
	"context"
	"sync"

	"github.com/chromedp/chromedp"
)

// Exceptions collects the exceptions that a tab's pages throw and nothing
// catches (a broken script), from the moment WatchExceptions is called.
type Exceptions struct {
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
}

// WatchExceptions starts collecting the uncaught exceptions of ctx's tab
// until ctx ends. Call it before navigating.
func WatchExceptions(ctx context.Context) *Exceptions {
	e := &Exceptions{}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() {
				e.mu.Lock()
				e.msgs = append(e.msgs, m)
				e.mu.Unlock()
			}
		}
	}()
	return e
}

// All returns the exceptions seen so far.
func (e *Exceptions) All() []chromedp.ConsoleMessage {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]chromedp.ConsoleMessage(nil), e.msgs...)
}
