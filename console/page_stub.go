package console

import "net/http"

// pageHandler is replaced by page.go (the console's page) when it lands.
func pageHandler() http.Handler { return http.NotFoundHandler() }
