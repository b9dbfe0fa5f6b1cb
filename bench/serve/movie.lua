-- POST /predict/movie with one real film (The Kid, 1921) and its crew by name, as a
-- client would send it: names resolve through the model's people table.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title":"The Kid","startYear":1921,"runtimeMinutes":68,"numVotes":40584,"genres":["Comedy","Drama"],"titleType":"movie","isAdult":false,"directors":["Charles Chaplin"],"writers":["Charles Chaplin"],"cast":["Carl Miller","Edna Purviance","Jackie Coogan","Charles Chaplin"]}'
