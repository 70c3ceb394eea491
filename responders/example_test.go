package responders_test

import (
	"errors"
	"fmt"

	"github.com/karafka-actors/karafka-actors/responders"
)

type user struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

func ExampleDeliver() {
	r := responders.Func(
		[]responders.Topic{
			responders.Required("users_created"),
			responders.Optional("audit").Multiple(),
		},
		func(out *responders.Output, args ...any) error {
			u := args[0].(user)
			out.RespondTo("users_created", u, responders.Key(fmt.Sprint(u.ID)))
			out.RespondTo("audit", "created")
			out.RespondTo("audit", []byte("notified"))
			return nil
		})

	msgs, err := responders.Deliver(r, user{ID: 42, Name: "ann"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range msgs {
		fmt.Printf("%s key=%q %s\n", m.Topic, m.Key, m.Value)
	}

	// A response that breaks the declarations sends nothing.
	bad := responders.Func(
		[]responders.Topic{responders.Required("users_created")},
		func(out *responders.Output, _ ...any) error {
			out.RespondTo("users_deleted", "oops")
			return nil
		})
	msgs, err = responders.Deliver(bad)
	fmt.Println(len(msgs), errors.Is(err, responders.ErrUnregisteredTopic))
	fmt.Println(err)
	// Output:
	// users_created key="42" {"id":42,"name":"ann"}
	// audit key="" created
	// audit key="" notified
	// 0 true
	// responders: topic "users_deleted": unregistered topic (declared: users_created)
	// responders: topic "users_created": required topic not used
}

type UsersCreatedController struct{}

func ExampleRegistry() {
	reg := responders.NewRegistry()
	_ = reg.Register("UsersCreatedResponder", func() responders.Responder {
		return responders.Func([]responders.Topic{responders.Required("users_created")},
			func(out *responders.Output, args ...any) error {
				out.RespondTo("users_created", args[0])
				return nil
			})
	})

	// Karafka's convention: the controller's name picks the responder.
	f, name, ok := reg.ForController(fmt.Sprintf("%T", &UsersCreatedController{}))
	fmt.Println(name, ok)
	msgs, _ := responders.Deliver(f(), map[string]int{"id": 1})
	fmt.Printf("%s %s\n", msgs[0].Topic, msgs[0].Value)

	_, name, ok = reg.ForController("OrdersController")
	fmt.Println(name, ok)
	fmt.Println(reg.Names())
	// Output:
	// UsersCreatedResponder true
	// users_created {"id":1}
	// OrdersResponder false
	// [UsersCreatedResponder]
}

// A responder made of a function, named as routes, flow and the web view show it.
func ExampleNamedFunc() {
	r := responders.NamedFunc("PremiumResponder", []responders.Topic{responders.Required("users_premium")},
		func(out *responders.Output, args ...any) error {
			out.RespondTo("users_premium", map[string]any{"id": args[0]})
			return nil
		})
	msgs, err := responders.Deliver(r, 7)
	fmt.Println(responders.Name(r), len(msgs), err)
	// Output: PremiumResponder 1 <nil>
}
