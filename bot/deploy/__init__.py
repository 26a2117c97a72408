"""The production shape: PostgreSQL, Redis, nginx, two Rasa and two action servers, the portal
and the leads forwarder — on one machine (`make prod-up`, `make test-prod`, bench/load.py) and
as Kubernetes manifests.

    packages.py   installs Debian's postgresql, redis-server and nginx when missing (apt, as root)
    services.py   PostgreSQL, Redis and nginx as this project runs them: data and generated
                  configuration under var/prod/, loopback only
    shape.py      `production()`: the whole shape started in order, supervised (a server that
                  dies is started again), stopped in order; what tests and benches use
    cli.py        `python -m bot prod up|down|status|install|manifests`
    templates/    nginx.conf and redis.conf, filled in by services.py
    k8s/          the Kubernetes manifests of the same shape (validated by `make test-prod`)
"""
