package karafkatest_test

import (
	"fmt"
	"testing"

	"github.com/karafka-actors/karafka-actors/karafkatest"
)

// recordingTB records what VerifyNoLeaks registers and reports.
type recordingTB struct {
	testing.TB
	cleanups []func()
	errs     []string
}

func (r *recordingTB) Helper()           {}
func (r *recordingTB) Cleanup(f func())  { r.cleanups = append(r.cleanups, f) }
func (r *recordingTB) Error(args ...any) { r.errs = append(r.errs, fmt.Sprint(args...)) }
func (r *recordingTB) Errorf(f string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(f, args...))
}

func TestVerifyNoLeaks_reportsAGoroutineLeftRunning(t *testing.T) {
	cases := []struct {
		name string
		leak bool
	}{
		{"leak reported", true},
		{"none reported", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &recordingTB{TB: t}
			karafkatest.VerifyNoLeaks(r)
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() { <-stop; close(done) }()
			if !c.leak {
				close(stop)
				<-done
			}
			for i := len(r.cleanups) - 1; i >= 0; i-- {
				r.cleanups[i]()
			}
			if c.leak {
				close(stop)
				<-done
			}
			if got := len(r.errs) > 0; got != c.leak {
				t.Fatalf("leak reported %v, want %v: %v", got, c.leak, r.errs)
			}
		})
	}
}
