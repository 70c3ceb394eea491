package controllers

import (
	"github.com/karafka-actors/karafka-actors/internal/typename"
	"github.com/karafka-actors/karafka-actors/params"
)

// Controller runs the business logic for one message at a time.
type Controller interface {
	Perform(ctx *Context) error
}

// Factory makes a controller. It is called once per partition actor
// incarnation (see the package documentation).
type Factory func() Controller

// Func adapts a function to the Controller interface.
type Func func(ctx *Context) error

// Perform calls f.
func (f Func) Perform(ctx *Context) error { return f(ctx) }

// BeforeFilter decides whether a message reaches Perform. Returning false
// drops the message: its offset still advances and nothing is produced.
type BeforeFilter func(p *params.Params) bool

// Filterer is implemented by controllers that declare their own before-filter
// (Karafka's before_enqueue). It runs after the route's filters.
type Filterer interface {
	Before(p *params.Params) bool
}

// Namer is implemented by controllers that choose their own name; otherwise
// the name is the controller's Go type name.
type Namer interface {
	ControllerName() string
}

var _ Controller = Func(nil)

// Name returns the controller's name: ControllerName() when it implements
// Namer, else its type name without package or pointer ("UsersCreatedController").
// A Func has no meaningful type name and returns "".
func Name(c Controller) string {
	if c == nil {
		return ""
	}
	if n, ok := c.(Namer); ok {
		return n.ControllerName()
	}
	if _, ok := c.(Func); ok {
		return ""
	}
	return typename.Of(c)
}
