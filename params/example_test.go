package params_test

import (
	"errors"
	"fmt"

	"github.com/karafka-actors/karafka-actors/params"
)

func Example() {
	md := params.Metadata{Topic: "users_created", Partition: 0, Offset: 7}
	p, err := params.New(md, []byte(`{"user":{"id":42,"name":"ann"},"items":[{"sku":"a1"}]}`), params.JSON)
	if err != nil {
		fmt.Println(err)
		return
	}
	name, _ := p.String("user.name")
	id, _ := p.Int("user.id")
	sku, _ := p.String("items.0.sku")
	fmt.Println(p.Metadata().Topic, name, id, sku)

	var doc struct {
		User *struct {
			ID int `json:"id"`
		} `json:"user"`
	}
	if err := p.Decode(&doc); err == nil {
		fmt.Println("decoded id", doc.User.ID)
	}
	// Output:
	// users_created ann 42 a1
	// decoded id 42
}

func ExampleNew_invalid() {
	md := params.Metadata{Topic: "orders", Partition: 1, Offset: 99}
	_, err := params.New(md, []byte(`{"id":`), params.JSON)
	fmt.Println(errors.Is(err, params.ErrParse))
	fmt.Println(err)
	// Output:
	// true
	// params: parse failed: topic "orders" partition 1 offset 99: parser "json": invalid JSON at byte 6: unexpected end of JSON input
}

func ExampleLookup() {
	p, _ := params.Lookup("raw")
	fmt.Println(p.Name())
	_, err := params.Lookup("xml")
	fmt.Println(err)
	// Output:
	// raw
	// params: unknown parser "xml" (known: json, raw)
}
