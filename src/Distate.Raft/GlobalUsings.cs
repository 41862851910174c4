// The only namespaces the pure core has in scope by default: no I/O, networking, tasks or clocks.
global using System;
global using System.Collections.Generic;
global using System.Linq;
