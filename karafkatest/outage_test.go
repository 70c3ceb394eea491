package karafkatest_test

import (
	"errors"
	"fmt"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/karafkatest"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/supervision"
)

// registryDown is a parser whose Check can never look at a payload, as
// when its schema registry is unreachable.
type registryDown struct{}

func (registryDown) Name() string { return "registry-down" }
func (registryDown) Check([]byte) error {
	return fmt.Errorf("%w: schema registry http://127.0.0.1:1: connection refused", params.ErrUnavailable)
}
func (registryDown) Parse([]byte) (any, error) { return nil, registryDown{}.Check(nil) }
func (registryDown) Decode([]byte, any) error  { return registryDown{}.Check(nil) }

// A record its parser cannot look at waits (blocked, retried by the
// runtime) and is never dead-lettered, whatever the retry policy says;
// no controller sees it.
func TestRoute_parserOutageWaitsAndIsNeverDeadLettered(t *testing.T) {
	performed := 0
	r := karafkatest.NewRoute(t, karafka.Route{
		Topic:  "users",
		Parser: registryDown{},
		Controller: func() karafka.Controller {
			return karafka.ControllerFunc(func(*karafka.Context) error { performed++; return nil })
		},
	})
	res := r.One(karafkatest.Value("\x00\x00\x00\x00\x01payload"))
	if !res.Blocked || res.DeadLetter != nil {
		t.Fatalf("blocked %v, dead letter %v: want it held, not dead-lettered", res.Blocked, res.DeadLetter)
	}
	if !errors.Is(res.Err, params.ErrUnavailable) || !errors.Is(res.Err, supervision.ErrOutage) {
		t.Fatalf("err %v: want ErrUnavailable marked as an outage", res.Err)
	}
	if performed != 0 {
		t.Fatalf("the controller ran %d times on a payload nobody could check", performed)
	}
}

// A controller that returns an outage of its own (supervision.Outage, or a
// Decode's params.ErrUnavailable) also waits instead of spending its tries.
func TestRoute_controllerOutageWaits(t *testing.T) {
	for _, mk := range []func() error{
		func() error { return supervision.Outage(errors.New("database down")) },
		func() error { return fmt.Errorf("decode: %w", params.ErrUnavailable) },
	} {
		r := karafkatest.NewRoute(t, karafka.Route{
			Topic: "users",
			Controller: func() karafka.Controller {
				return karafka.ControllerFunc(func(*karafka.Context) error { return mk() })
			},
		})
		res := r.One(karafkatest.Value(`{"id":1}`))
		if !res.Blocked || res.DeadLetter != nil || !errors.Is(res.Err, supervision.ErrOutage) {
			t.Fatalf("blocked %v, dead letter %v, err %v: want it held as an outage", res.Blocked, res.DeadLetter, res.Err)
		}
	}
}
