package kafka

// Warnings returns what c allows that an operator should hear of at start,
// one sentence each, naming the key: broker certificates not verified
// (kafka.tls.insecure_skip_verify), and a SASL PLAIN password sent without
// TLS, in clear text. Both are valid configurations (a test cluster, a
// network encrypted by other means); nil when there is nothing to say.
func (c Config) Warnings() []string {
	var w []string
	if c.TLS.InsecureSkipVerify {
		if c.TLS.Enabled {
			w = append(w, "kafka.tls.insecure_skip_verify is true: broker certificates are not verified, anyone on the network path can pose as a broker")
		} else {
			w = append(w, "kafka.tls.insecure_skip_verify is true and kafka.tls.enabled false: connections are not encrypted at all")
		}
	}
	if mechanism(c.SASL.Mechanism) == MechanismPlain && !c.TLS.Enabled {
		w = append(w, "kafka.sasl.mechanism is PLAIN without kafka.tls.enabled: the SASL password is sent to the brokers in clear text")
	}
	return w
}
