package responders

import "github.com/karafka-actors/karafka-actors/internal/typename"

// Responder sends on what a controller produced, as Karafka's responder.
//
// Life cycle of one response (see Deliver):
//  1. Topics is read for the declarations, in order.
//  2. Respond runs once with the controller's RespondWith arguments and asks
//     out for messages with RespondTo; it sends nothing itself.
//  3. The buffered messages are validated against the declarations; they are
//     produced only if the whole response is valid.
//
// A Responder may be created per response (see Factory) or shared; a shared
// one must be safe for concurrent use.
type Responder interface {
	// Topics returns the declared topics, in declaration order.
	Topics() []Topic
	// Respond buffers the response into out.
	Respond(out *Output, args ...any) error
}

// Func adapts a topic list and a function to a Responder. It shows as
// "responders.Func" in routes, flow and the web view: NamedFunc gives it
// a name of its own.
func Func(topics []Topic, fn func(out *Output, args ...any) error) Responder {
	return funcResponder{topics: topics, fn: fn}
}

// NamedFunc is Func shown as name (in routes, flow, the web view and logs).
func NamedFunc(name string, topics []Topic, fn func(out *Output, args ...any) error) Responder {
	return funcResponder{name: name, topics: topics, fn: fn}
}

// Namer is implemented by responders that name themselves; others are
// shown by their Go type name (see Name).
type Namer interface {
	ResponderName() string
}

// Name is how r is shown: its ResponderName when it is a Namer, else its
// Go type name without package or pointer ("" when r is nil or of an
// unnamed type).
func Name(r Responder) string {
	if r == nil {
		return ""
	}
	if n, ok := r.(Namer); ok {
		return n.ResponderName()
	}
	return typename.Of(r)
}

var (
	_ Responder = funcResponder{}
	_ Namer     = funcResponder{}
)

type funcResponder struct {
	name   string
	topics []Topic
	fn     func(out *Output, args ...any) error
}

func (f funcResponder) Topics() []Topic { return f.topics }

func (f funcResponder) Respond(out *Output, args ...any) error { return f.fn(out, args...) }

func (f funcResponder) ResponderName() string {
	if f.name == "" {
		return "responders.Func"
	}
	return f.name
}
