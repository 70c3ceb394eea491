package responders

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

// Func adapts a topic list and a function to a Responder.
func Func(topics []Topic, fn func(out *Output, args ...any) error) Responder {
	return funcResponder{topics: topics, fn: fn}
}

var _ Responder = funcResponder{}

type funcResponder struct {
	topics []Topic
	fn     func(out *Output, args ...any) error
}

func (f funcResponder) Topics() []Topic { return f.topics }

func (f funcResponder) Respond(out *Output, args ...any) error { return f.fn(out, args...) }
