package kafka

import (
	"github.com/IBM/sarama"
	"github.com/xdg-go/scram"
)

var (
	sha256 = scram.SHA256
	sha512 = scram.SHA512
)

// scramClient adapts xdg-go/scram to sarama.SCRAMClient.
type scramClient struct {
	hash scram.HashGeneratorFcn
	conv *scram.ClientConversation
}

var _ sarama.SCRAMClient = (*scramClient)(nil)

// newSCRAMClient returns a sarama SCRAM client generator for hash.
func newSCRAMClient(hash scram.HashGeneratorFcn) func() sarama.SCRAMClient {
	return func() sarama.SCRAMClient { return &scramClient{hash: hash} }
}

// Begin starts a conversation for user and password.
func (c *scramClient) Begin(user, password, authzID string) error {
	cl, err := c.hash.NewClient(user, password, authzID)
	if err != nil {
		return err
	}
	c.conv = cl.NewConversation()
	return nil
}

// Step answers one server challenge.
func (c *scramClient) Step(challenge string) (string, error) { return c.conv.Step(challenge) }

// Done reports whether the conversation is over.
func (c *scramClient) Done() bool { return c.conv.Done() }
