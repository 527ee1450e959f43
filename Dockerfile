# The platform's image: the code, its pinned dependencies, and the dbt manifest prepared at build
# time, so neither the webserver nor a run parses the dbt project when it starts.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    OGP_DATA_DIR=/data \
    DAGSTER_HOME=/opt/dagster/home

WORKDIR /opt/ogp
COPY pyproject.toml constraints.txt README.md ./
COPY orchestration ./orchestration
COPY ingestion ./ingestion
COPY quality ./quality
COPY exports ./exports
COPY similarity ./similarity
COPY correspondence ./correspondence
COPY warehouse ./warehouse
COPY deploy ./deploy
COPY dbt_project ./dbt_project
COPY demo_data ./demo_data
COPY workspace.yaml ./

# EXTRAS=k8s adds dagster-k8s, for runs launched as pods (deploy/helm/values.yaml).
ARG EXTRAS=""
RUN pip install -c constraints.txt ".${EXTRAS:+[$EXTRAS]}" \
 && ogp prepare \
 && mkdir -p "$DAGSTER_HOME" /data
COPY deploy/dagster.yaml $DAGSTER_HOME/dagster.yaml

EXPOSE 3000
# Webserver by default; run the daemon from the same image with `dagster-daemon run -w workspace.yaml`.
CMD ["dagster-webserver", "-h", "0.0.0.0", "-p", "3000", "-w", "workspace.yaml"]
