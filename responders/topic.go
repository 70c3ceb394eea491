package responders

// Topic is one topic a responder declares, as Karafka's
// `topic :name, required: true, multiple_usage: false`.
type Topic struct {
	Name string
	// Required topics must be used by every response.
	Required bool
	// MultipleUsage topics may receive more than one message per response.
	MultipleUsage bool
	// Schema, when set, encodes and checks every value sent to the topic
	// (see Schema and package schemas); nil sends values as RespondTo
	// gives them (JSON for Go values).
	Schema Schema
}

// Required declares a topic every response must use, once.
func Required(name string) Topic { return Topic{Name: name, Required: true} }

// Optional declares a topic a response may use, at most once.
func Optional(name string) Topic { return Topic{Name: name} }

// Multiple returns t allowing more than one message per response.
func (t Topic) Multiple() Topic {
	t.MultipleUsage = true
	return t
}

// WithSchema returns t whose values are encoded and checked by s before
// anything of the response is sent.
func (t Topic) WithSchema(s Schema) Topic {
	t.Schema = s
	return t
}
