package typename_test

import (
	"testing"

	"github.com/karafka-actors/karafka-actors/internal/typename"
)

type users struct{}

type generic[T any] struct{}

func TestOf(t *testing.T) {
	u := &users{}
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"value", users{}, "users"},
		{"pointer", u, "users"},
		{"pointer to pointer", &u, "users"},
		{"nil", nil, ""},
		{"unnamed func", func() {}, ""},
		{"generic instance keeps its brackets", generic[int]{}, "generic[int]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := typename.Of(tc.v); got != tc.want {
				t.Errorf("Of(%T) = %q, want %q", tc.v, got, tc.want)
			}
		})
	}
}
