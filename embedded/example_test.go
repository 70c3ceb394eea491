package embedded_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/schemas"
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

func ExampleStartRegistry() {
	r, err := embedded.StartRegistry("127.0.0.1:0") // port 0: a free one
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	cfg := schemas.DefaultConfig()
	cfg.URLs = []string{r.URL()}
	reg, err := schemas.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	v1, err := reg.Register(ctx, "users-value", schemas.Avro,
		`{"type":"record","name":"User","fields":[{"name":"id","type":"long"}]}`)
	fmt.Println(v1.Version, err)
	// A new field without a default cannot read the records v1 wrote.
	_, err = reg.Register(ctx, "users-value", schemas.Avro,
		`{"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"email","type":"string"}]}`)
	fmt.Println(errors.Is(err, schemas.ErrIncompatible))
	// Output:
	// 1 <nil>
	// true
}
