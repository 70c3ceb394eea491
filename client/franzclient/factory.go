package franzclient

import (
	"github.com/karafka-actors/karafka-actors/client"
)

// Factory makes franz-go based client parts. Its zero value is ready.
type Factory struct{}

var _ client.Factory = Factory{}

// New returns the franz-go factory.
func New() Factory { return Factory{} }

// Name is the implementation's name as kafka.client says it.
func (Factory) Name() string { return "franz" }

// NewGroup checks cfg and returns a group member that connects on its first
// Consume. Errors wrap kafka.ErrInvalidConfig and name the setting.
func (Factory) NewGroup(cfg client.GroupConfig) (client.Group, error) {
	base, err := checkConfig(cfg)
	if err != nil {
		return nil, err
	}
	return newGroup(cfg, base), nil
}
