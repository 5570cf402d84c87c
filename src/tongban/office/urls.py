"""Staff pages of the office app, under /workbench/office/."""

from tongban.office import urls_collab, urls_documents, urls_internal, urls_workitems

app_name = "office"
urlpatterns = [
    *urls_documents.urlpatterns,
    *urls_workitems.urlpatterns,
    *urls_collab.urlpatterns,
    *urls_internal.urlpatterns,
]
