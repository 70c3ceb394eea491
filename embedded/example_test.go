package embedded_test

import (
	"context"
	"fmt"

	"github.com/karafka-actors/karafka-actors/embedded"
)

func ExampleStart() {
	b, err := embedded.Start(embedded.Addr("127.0.0.1:0"), embedded.Topics(3, "events"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	// Creating an existing topic again is fine.
	err = b.CreateTopics(context.Background(), 3, "events", "users")
	fmt.Println(len(b.Addrs()), err)
	// Output: 1 <nil>
}
