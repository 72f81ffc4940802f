app_name = "investigation"
urlpatterns = []
