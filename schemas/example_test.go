package schemas_test

import (
	"fmt"
	"math"

	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/schemas"
)

// A responder topic's writer encodes a value with its subject's schema
// (registered on first use); a route's parser reads it back.
func Example() {
	fake := srfake.New() // in a real app: schema_registry.urls, and App.Schemas()
	defer fake.Close()
	cfg := schemas.DefaultConfig()
	cfg.URLs = []string{fake.URL()}
	reg, err := schemas.New(cfg)
	if err != nil {
		panic(err)
	}

	const user = `{"type":"record","name":"User","namespace":"shop","fields":[
	  {"name":"id","type":"long"},{"name":"email","type":["null","string"],"default":null}]}`
	w := reg.TopicName().Register(schemas.Avro, user)
	raw, err := w.Encode("users", map[string]any{"id": 7, "email": "ada@example.com"})
	if err != nil {
		panic(err)
	}
	fmt.Println(w.Describe("users"))
	fmt.Printf("magic %d, schema id %d, %d bytes\n", raw[0], int(raw[4]), len(raw))

	p := params.Lazy(params.Metadata{Topic: "users"}, raw, reg.Parser(schemas.Avro))
	id, _ := p.Int("id")
	email, _ := p.String("email") // a union reads as its value
	fmt.Println(id, email)

	var u struct {
		ID    int64   `avro:"id"`
		Email *string `avro:"email"`
	}
	if err := p.Decode(&u); err != nil {
		panic(err)
	}
	fmt.Println(u.ID, *u.Email)
	// Output:
	// avro subject users-value (topic name)
	// magic 0, schema id 1, 23 bytes
	// 7 ada@example.com
	// 7 ada@example.com
}

// A generic form prints as JSON that produce --schema reads back: bytes in
// base64, non-finite floats as protojson's strings.
func ExampleMarshalJSON() {
	b, _ := schemas.MarshalJSON(map[string]any{"ratio": math.Inf(1), "blob": []byte("hi"), "tags": []any{"<a>", math.NaN()}})
	fmt.Println(string(b))
	// Output:
	// {"blob":"aGk=","ratio":"Infinity","tags":["<a>","NaN"]}
}
