from django.http import HttpRequest, HttpResponse


def equipment_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


equipment_detail = booking_detail = project_detail = equipment_list
