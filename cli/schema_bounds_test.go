package cli

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// Every number and duration key declares its bound in the schema, of its
// own type, above its default; the library refuses the value one past it
// (naming the key) and accepts the bound itself: the two cannot drift.
func TestSchema_everyNumberHasItsBound(t *testing.T) {
	for _, k := range schema {
		s := DefaultSettings("x")
		// Backoffs of an unused strategy are not validated.
		s.Supervision.Strategy = "exponential_backoff"
		var above, atMax func()
		switch p := k.ref(&s).(type) {
		case *int:
			m, ok := k.max.(int)
			if !ok {
				t.Errorf("%s: max is %T, want int", k.name, k.max)
				continue
			}
			if *p > m {
				t.Errorf("%s: default %d above max %d", k.name, *p, m)
			}
			above, atMax = func() { *p = m + 1 }, func() { *p = m }
		case *time.Duration:
			m, ok := k.max.(time.Duration)
			if !ok {
				t.Errorf("%s: max is %T, want time.Duration", k.name, k.max)
				continue
			}
			if *p > m {
				t.Errorf("%s: default %v above max %v", k.name, *p, m)
			}
			above, atMax = func() { *p = m + 1 }, func() { *p = m }
		case *float64:
			m, ok := k.max.(float64)
			if !ok {
				t.Errorf("%s: max is %T, want float64", k.name, k.max)
				continue
			}
			if *p > m {
				t.Errorf("%s: default %v above max %v", k.name, *p, m)
			}
			above, atMax = func() { *p = math.Nextafter(m, math.Inf(1)) }, func() { *p = m }
		default:
			if k.max != nil {
				t.Errorf("%s: a max on a %T", k.name, p)
			}
			continue
		}
		base := s
		above()
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), k.name+": ") {
			t.Errorf("%s one past its max %v: Validate = %v; want a problem naming it", k.name, k.max, err)
		}
		s = base
		atMax()
		if err := s.Validate(); err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if strings.Contains(line, k.name+": ") && (strings.Contains(line, "at most") || strings.Contains(line, "outside")) {
					t.Errorf("%s at its max %v: Validate refuses it: %s", k.name, k.max, line)
				}
			}
		}
		// Every way in refuses one past the bound the same way.
		if _, err := Load("x", Sources{Set: []string{k.name + "=" + fmt.Sprint(overMax(k.max))}}); err == nil || !strings.Contains(err.Error(), k.name+" (flag): ") || !strings.Contains(err.Error(), fmt.Sprint("above the maximum ", k.max)) {
			t.Errorf("%s one past its max: Load = %v", k.name, err)
		}
	}
}

// overMax is a value one past max, as --set would give it.
func overMax(max any) any {
	switch m := max.(type) {
	case int:
		return m + 1
	case time.Duration:
		return m + 1
	case float64:
		return math.Nextafter(m, math.Inf(1))
	}
	return nil
}
