package karafkatest_test

import (
	"strings"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/karafkatest"
)

// doubler answers {"n": x} on "doubled" with {"n": 2x}, keeping the key.
func doubler() karafka.Route {
	return karafka.Route{
		Topic: "numbers",
		Controller: func() karafka.Controller {
			return karafka.ControllerFunc(func(c *karafka.Context) error {
				var in struct{ N int }
				if err := c.Params.Decode(&in); err != nil {
					return err
				}
				c.RespondWith(in.N*2, string(c.Params.Metadata().Key))
				return nil
			})
		},
		Responder: func() karafka.Responder {
			return karafka.NewResponder([]karafka.Topic{karafka.Required("doubled")}, func(out *karafka.Output, args ...any) error {
				out.RespondTo("doubled", map[string]int{"n": args[0].(int)}, karafka.Key(args[1].(string)))
				return nil
			})
		},
	}
}

func TestBroker_runProduceWait(t *testing.T) {
	karafkatest.VerifyNoLeaks(t)
	k := karafkatest.StartBroker(t)
	app, err := karafka.New(k.Config(), karafka.WithRoutes(doubler()), karafka.WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	k.Run(t, app)
	k.Produce(t, "numbers",
		karafkatest.Value(`{"n":2}`).WithKey("a"),
		karafkatest.Value(`{"n":`).WithKey("b").WithHeader("trace", "t1"),
		karafkatest.Value(`{"n":5}`).WithKey("c"),
	)
	got := k.Wait(t, "doubled", 2)
	if len(got) != 2 {
		t.Fatalf("got %v", got)
	}
	for i, want := range []struct {
		key string
		n   int
	}{{"a", 4}, {"c", 10}} {
		var v struct{ N int }
		got[i].JSON(t, &v)
		if v.N != want.n || string(got[i].Key) != want.key {
			t.Errorf("response %d: %s, want key %s n %d", i, got[i], want.key, want.n)
		}
	}
	dead := k.Wait(t, "numbers_dlq", 1)
	if string(dead[0].Key) != "b" || string(dead[0].Value) != `{"n":` {
		t.Fatalf("dead letter %s", dead[0])
	}
	if v, _ := dead[0].Header("trace"); v != "t1" {
		t.Errorf("trace header %q", v)
	}
	if v, _ := dead[0].Header(karafka.HeaderOriginOffset); v != "1" {
		t.Errorf("origin offset %q", v)
	}
	if v, _ := dead[0].Header(karafka.HeaderError); !strings.Contains(v, "parse") {
		t.Errorf("error header %q", v)
	}
}

// TestBroker_deadLetterMatchesMemory checks the in-memory kit against the
// runtime: the same failing record gets the same dead letter.
func TestBroker_deadLetterMatchesMemory(t *testing.T) {
	k := karafkatest.StartBroker(t)
	app, err := karafka.New(k.Config(), karafka.WithRoutes(doubler()), karafka.WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	rec := karafkatest.Value(`{"n":"x"}`).WithKey("k").WithHeader("h", "v")
	mem := karafkatest.AppRoute(t, app, "numbers").One(rec)
	if mem.DeadLetter == nil {
		t.Fatalf("in memory: %+v", mem)
	}
	k.Run(t, app)
	k.Produce(t, "numbers", rec)
	real := k.Wait(t, "numbers_dlq", 1)[0]
	if real.Topic != mem.DeadLetter.Topic || string(real.Key) != string(mem.DeadLetter.Key) ||
		string(real.Value) != string(mem.DeadLetter.Value) || len(real.Headers) != len(mem.DeadLetter.Headers) {
		t.Fatalf("runtime %s %v\nmemory  %s %v", real, real.Headers, mem.DeadLetter, mem.DeadLetter.Headers)
	}
	for i, h := range real.Headers {
		m := mem.DeadLetter.Headers[i]
		if h.Key != m.Key || string(h.Value) != string(m.Value) {
			t.Errorf("header %d: runtime %s=%q, memory %s=%q", i, h.Key, h.Value, m.Key, m.Value)
		}
	}
}
