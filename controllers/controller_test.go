package controllers_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/params"
)

type UsersCreatedController struct{}

func (*UsersCreatedController) Perform(*controllers.Context) error { return nil }

type named struct{}

func (named) Perform(*controllers.Context) error { return nil }
func (named) ControllerName() string             { return "CustomController" }

func TestName(t *testing.T) {
	cases := []struct {
		name string
		c    controllers.Controller
		want string
	}{
		{"pointer type", &UsersCreatedController{}, "UsersCreatedController"},
		{"Namer wins", named{}, "CustomController"},
		{"Func has no name", controllers.Func(func(*controllers.Context) error { return nil }), ""},
		{"nil", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := controllers.Name(c.c); got != c.want {
				t.Fatalf("Name = %q, want %q", got, c.want)
			}
		})
	}
}

func TestContext_RespondWithAndReset(t *testing.T) {
	p, err := params.New(params.Metadata{Topic: "t"}, []byte(`{"id":1}`), params.JSON)
	if err != nil {
		t.Fatal(err)
	}
	c := controllers.NewContext(context.Background(), p, nil)
	c.RespondWith(1, "a")
	c.RespondWith(2)
	if got := c.Responses(); len(got) != 2 || got[0][1] != "a" || got[1][0] != 2 {
		t.Fatalf("responses %v", got)
	}
	c.Reset(context.Background(), nil)
	if len(c.Responses()) != 0 || c.Params != nil {
		t.Fatal("Reset kept the previous message's state")
	}
}

func ExampleFunc() {
	ctrl := controllers.Func(func(c *controllers.Context) error {
		id, _ := c.Params.Int("id")
		c.RespondWith(id * 10)
		return nil
	})
	p, _ := params.New(params.Metadata{Topic: "numbers"}, []byte(`{"id": 4}`), params.JSON)
	c := controllers.NewContext(context.Background(), p, nil)
	_ = ctrl.Perform(c)
	fmt.Println(c.Responses())
	// Output: [[40]]
}
