package karafkatest_test

import (
	"fmt"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/karafkatest"
)

// An end-to-end test of an app: this is the body of a test function, with
// the test's own t (TestBroker_runProduceWait does the same).
func ExampleStartBroker() {
	var t *testing.T // the test's t

	karafkatest.VerifyNoLeaks(t) // first: its check runs after every other cleanup
	k := karafkatest.StartBroker(t)

	app, err := karafka.New(k.Config(), karafka.WithRoutes(doubler()))
	if err != nil {
		t.Fatal(err)
	}
	k.Run(t, app) // creates the app's topics; shut down when t ends

	k.Produce(t, "numbers", karafkatest.Value(`{"n":21}`).WithKey("a"))
	got := k.Wait(t, "doubled", 1)

	var v struct{ N int }
	got[0].JSON(t, &v)
	fmt.Println(v.N, string(got[0].Key))
}
