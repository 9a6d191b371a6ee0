"""Demo walk set-up: a visit held by madoguchi2 (ordinary household), and a visit held by
kacho (permitted) concerning a protected person, with an insurance task."""

from madoguchi.accounts.models import Staff
from madoguchi.counter import services
from madoguchi.register.models import Person
from madoguchi.tasks.models import Task

prot = Person.objects.filter(support_measure=True, status="1").order_by("atena_no").first()
normal = (
    Person.objects.filter(support_measure=False, status="1", relationship="世帯主")
    .order_by("atena_no")
    .first()
)
m2 = Staff.objects.get(username="madoguchi2")
kacho = Staff.objects.get(username="kacho")
v1 = services.open_visit(m2)
services.identify(v1.pk, v1.version, m2, normal.atena_no)
v2 = services.open_visit(kacho)
services.identify(v2.pk, v2.version, kacho, prot.atena_no)
t = Task.objects.create(
    visit_id=v2.pk, procedure_id="nhi.enroll", name="国民健康保険の加入", department="insurance"
)
print("PROTECTED", prot.atena_no, prot.household.household_no)
print("OTHER_VISIT", v1.pk)
print("PROT_VISIT", v2.pk)
print("PROT_TASK", t.pk)
