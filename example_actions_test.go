package karafka_test

import (
	"errors"
	"fmt"

	karafka "github.com/karafka-actors/karafka-actors"
)

// An operator's skip, and what its errors say: here the App is not running,
// so it holds no partition.
func ExampleApp_SkipRecord() {
	app, err := karafka.New(karafka.DefaultConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	err = app.SkipRecord("orders", 0, 7, "customer 42 was deleted, ticket 1234")
	switch {
	case err == nil:
		fmt.Println("skipped: dead-lettered, the partition goes on")
	case errors.Is(err, karafka.ErrNotFailing):
		fmt.Println("not the failing record:", err) // the error names the one that is, if any
	case errors.Is(err, karafka.ErrNotHeld):
		fmt.Println("ask the process that holds it:", err)
	default:
		fmt.Println(err)
	}
	// Output:
	// ask the process that holds it: karafka: skip orders/0@7: partition not held by this process: the app is not running
}

// An operator's pause holds a partition until it is resumed; a revoked
// partition loses it.
func ExampleApp_PausePartition() {
	app, err := karafka.New(karafka.DefaultConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := app.PausePartition("orders", 3); err != nil {
		fmt.Println(err)
	}
	for _, p := range app.State().Partitions {
		if p.OperatorPaused {
			fmt.Printf("%s/%d paused by an operator\n", p.Topic, p.Partition)
		}
	}
	// Output:
	// karafka: pause orders/3: partition not held by this process: the app is not running
}
