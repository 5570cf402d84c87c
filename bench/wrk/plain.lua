-- The same request (wrk's defaults: GET of the URL given) over and over.
done = require("report").done
