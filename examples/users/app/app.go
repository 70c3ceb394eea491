// Package app holds the routes of the users example, Karafka 0.5's
// responder example:
//
//	users_create => users_created         (always, exactly once)
//	                users_premium_created (conditionally, exactly once)
//
// A before-filter drops users without an email: their offsets advance and
// nothing is produced. UsersCreateController's responder is found by
// naming convention (UsersCreateResponder).
package app

import (
	"fmt"

	karafka "github.com/karafka-actors/karafka-actors"
)

// Topics of this example.
const (
	UsersCreate         = "users_create"
	UsersCreated        = "users_created"
	UsersPremiumCreated = "users_premium_created"
)

// User is both the input and the response.
type User struct {
	ID      int64  `json:"id"`
	Email   string `json:"email"`
	Premium bool   `json:"premium"`
}

// UsersCreateController "creates" the user and responds with it.
type UsersCreateController struct{}

// Perform decodes the user and responds with it.
func (UsersCreateController) Perform(ctx *karafka.Context) error {
	var u User
	if err := ctx.Params.Decode(&u); err != nil {
		return err
	}
	ctx.RespondWith(u)
	return nil
}

// UsersCreateResponder sends every user on users_created and premium ones on
// users_premium_created too.
type UsersCreateResponder struct{}

// Topics declares users_created (required) and users_premium_created (optional).
func (UsersCreateResponder) Topics() []karafka.Topic {
	return []karafka.Topic{karafka.Required(UsersCreated), karafka.Optional(UsersPremiumCreated)}
}

// Respond sends the user, keyed by its id.
func (UsersCreateResponder) Respond(out *karafka.Output, args ...any) error {
	u, ok := args[0].(User)
	if !ok || len(args) != 1 {
		return fmt.Errorf("want one User, got %v", args)
	}
	key := karafka.Key(fmt.Sprint(u.ID))
	out.RespondTo(UsersCreated, u, key)
	if u.Premium {
		out.RespondTo(UsersPremiumCreated, u, key)
	}
	return nil
}

// HasEmail is the before-filter: inputs without an email are dropped.
func HasEmail(p *karafka.Params) bool {
	email, ok := p.String("email")
	return ok && email != ""
}

// Routes returns the example's route.
func Routes() []karafka.Route {
	return []karafka.Route{{
		Topic:         UsersCreate,
		Controller:    func() karafka.Controller { return UsersCreateController{} },
		BeforeFilters: []karafka.BeforeFilter{HasEmail},
	}}
}

// Register registers UsersCreateResponder by naming convention and adds the route.
func Register(app *karafka.App) error {
	if err := app.Registry().Register("UsersCreateResponder", func() karafka.Responder { return UsersCreateResponder{} }); err != nil {
		return err
	}
	app.Route(Routes()...)
	return nil
}
